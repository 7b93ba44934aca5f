"""What the OpenAPI schema says about every operation, declared once so it stays true for every module: the error
format and the error statuses each operation can answer (drf-spectacular documents only the success answers)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

ERROR_SCHEMA = {
    "type": "object",
    "description": 'Every error: {"error": {"code", "message", "fields"}}; `fields` maps a field to its messages.',
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

ERRORS = {
    "400": "The request does not fit: a field, a filter or the body (`fields` says which).",
    "401": "Not logged in (no or a wrong token / session).",
    "403": "No permission for this operation (or the tab asked for).",
    "404": "No such record, or not in your scope (the two answer alike).",
    "405": "The method is not allowed on this path.",
    "406": "The requested response format is not offered (the API answers JSON).",
    "409": "The record changed or the task was handled meanwhile, or the same request is already being handled.",
    "413": "The request body is too large.",
    "415": "The request body's media type is not accepted.",
    "429": "Too many failed logins for this account: locked for a while.",
}
READ_ERRORS = ("400", "401", "403", "404", "405", "406")


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Error component and the error answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = READ_ERRORS if method == "get" else tuple(c for c in ERRORS if c != "429")
            if operation.get("operationId") == "token_create":
                codes = (*codes, "429")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERRORS[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result


class BlankableFormatExtension(OpenApiSerializerFieldExtension):
    """A URL or e-mail field that may be left empty answers "" — a value `format: uri` / `format: email` refuses;
    its schema says "a URL (or e-mail address), or the empty string"."""

    target_class = "rest_framework.fields.URLField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not getattr(self.target, "allow_blank", False) or "format" not in schema:
            return schema
        return {"anyOf": [schema, {"type": "string", "enum": [""]}]}


class BlankableEmailExtension(BlankableFormatExtension):
    target_class = "rest_framework.fields.EmailField"
