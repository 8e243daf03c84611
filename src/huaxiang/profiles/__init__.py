"""Profiles: fact tables with their customers, the profile build (traits), tags and segments."""


class ProfileError(ValueError):
    """An expected failure a person can fix (an unknown tag, an ambiguous customer…): a code and its values."""

    def __init__(self, code: str, **params: object):
        self.code, self.params = code, params
        super().__init__(f"{code}: " + ", ".join(f"{k}={v}" for k, v in params.items()))
