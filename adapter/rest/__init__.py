"""SMT's REST functions (guide section 3.1, and their /v2/ twins): the function table,
JSON bodies built from the same request records as SOAP, and JSON answers parsed into the
same records. Pure: no transport."""

from adapter.rest.answers import RestAnswer, parse_answer
from adapter.rest.bodies import build_body, iter_body_violations, validate_body
from adapter.rest.functions import FUNCTIONS, AnswerKind, RestFunction, find_function
from adapter.rest_records import ODR_HOURLY_LIMIT_CODE, ODR_STATUSES

__all__ = [
    "FUNCTIONS",
    "ODR_HOURLY_LIMIT_CODE",
    "ODR_STATUSES",
    "AnswerKind",
    "RestAnswer",
    "RestFunction",
    "build_body",
    "find_function",
    "iter_body_violations",
    "parse_answer",
    "validate_body",
]
