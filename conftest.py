import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email="ann@example.com", password=PASSWORD)


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user(email="bob@example.com", password=PASSWORD)


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client
