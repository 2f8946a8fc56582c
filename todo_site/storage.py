import re
from pathlib import Path

from storages.backends.s3 import S3ManifestStaticStorage

# Names that collectstatic gives its copies: "css/site.4f2a9c81e0b3.css".
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[^/]+$")
# Written into the Lambda package by deploy/package.py; absent from a source checkout.
PACKAGED_MANIFEST = Path(__file__).resolve().with_name("staticfiles.json")


class StaticStorage(S3ManifestStaticStorage):
    """Static files on S3 under hashed names; the hashed copies are cached for a year.

    Pages take the hashed names from the manifest built into the Lambda package, so a cold start
    makes no S3 call and a release's pages always name the files of that release (collectstatic
    never deletes the previous release's files). collectstatic still writes the bucket's manifest.
    """

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        if HASHED_NAME.search(name):
            parameters["CacheControl"] = "public, max-age=31536000, immutable"
        return parameters

    def read_manifest(self):
        if PACKAGED_MANIFEST.exists():
            return PACKAGED_MANIFEST.read_text()
        return super().read_manifest()
