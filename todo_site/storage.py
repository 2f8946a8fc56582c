import re

from storages.backends.s3 import S3ManifestStaticStorage

# Names that collectstatic gives its copies: "css/site.4f2a9c81e0b3.css".
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[^/]+$")


class StaticStorage(S3ManifestStaticStorage):
    """Static files on S3 under hashed names; the hashed copies are cached for a year."""

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        if HASHED_NAME.search(name):
            parameters["CacheControl"] = "public, max-age=31536000, immutable"
        return parameters

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            # A release's collectstatic may have replaced the manifest since this
            # instance read it: read it again once before giving up.
            self.hashed_files, self.manifest_hash = self.load_manifest()
            return super().stored_name(name)
