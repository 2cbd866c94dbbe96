import pytest

from bounceportal.secrets_box import SecretDecryptionError, decrypt_secret, encrypt_secret
from tests.factories import BounceMailboxFactory


def test_a_secret_round_trips_and_is_not_stored_in_clear():
    token = encrypt_secret("hunter2")

    assert "hunter2" not in token
    assert decrypt_secret(token) == "hunter2"


def test_a_secret_encrypted_with_another_key_is_a_clear_error(settings):
    token = encrypt_secret("hunter2")
    settings.MAILBOX_SECRET_KEY = "a different passphrase"

    with pytest.raises(SecretDecryptionError):
        decrypt_secret(token)


@pytest.mark.django_db
def test_mailbox_password_is_stored_encrypted():
    mailbox = BounceMailboxFactory()

    mailbox.set_password("s3cret")
    mailbox.save()

    mailbox.refresh_from_db()
    assert "s3cret" not in mailbox.password_encrypted
    assert mailbox.get_password() == "s3cret"
