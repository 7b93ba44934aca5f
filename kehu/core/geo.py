"""Coordinates people or devices send: one range check for every record that stores a location."""

from django.utils.translation import gettext as _


def coordinate_errors(latitude, longitude) -> dict[str, list[str]]:
    """Field errors for a latitude outside -90…90 or a longitude outside -180…180 (None is no coordinate)."""
    errors: dict[str, list[str]] = {}
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = [_("Latitude must be between -90 and 90.")]
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = [_("Longitude must be between -180 and 180.")]
    return errors
