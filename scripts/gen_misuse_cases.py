#!/usr/bin/env python3
"""Generate the C ABI misuse cases (tests/c/misuse_cases.h) from include/mxreg.h
(read through scripts/header_model.py).

Every function of the header is classified by its shape:

  fallible  returns mxreg_result, last parameter `mxreg_error **error_out`
  accessor  returns a value, first parameter a handle (NULL/0/-1/false for NULL)
  free      `mxreg_x_free(one pointer)`: NULL is a no-op
  init      `mxreg_x_init(request struct pointer)`: NULL is a no-op
  pure      no pointer parameter at all (versions, sizes, result names)

and gets one case per pointer parameter (NULL there, valid values
elsewhere), plus, where its parameters call for them: invalid UTF-8 and
over-long text in every string (parameters and request-struct fields), a
wrong `struct_size` for every request struct, unknown enum values and flag
bits, NULL in required struct fields, every call on a finished signup
session, out-of-range indexes. The expected outcome follows the contract in
README.md ("API conventions") and the doc comments: which pointers "may be
NULL", which struct fields are "Required", which enum a field holds, what an
accessor returns for NULL.

The valid values come from the tables below (handles the test builds, request
structs it fills, text per parameter name). A function, parameter or field
this script cannot classify or give a valid value stops it with an error
naming what to add, so the cases keep covering the whole header as it grows.

    scripts/gen_misuse_cases.py           # rewrite tests/c/misuse_cases.h
    scripts/gen_misuse_cases.py --check   # exit 1 when the committed file is stale

Standard library only.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from header_model import REPO_ROOT, CType, Decl, Function, Header, HeaderError, load, one_line, parse_type

OUTPUT = REPO_ROOT / "tests" / "c" / "misuse_cases.h"

# ---- what the C test (tests/c/test_misuse.c) provides ----------------------

# A live handle per opaque type, built once by the test.
HANDLE_FIXTURES = {
    "mxreg_auth_info": "fx.auth_info",
    "mxreg_client": "fx.client",
    "mxreg_error": "fx.error",
    "mxreg_oauth_authorization": "fx.authorization",
    "mxreg_oauth_device_authorization": "fx.device_authorization",
    "mxreg_oauth_registered_client": "fx.registered_client",
    "mxreg_oauth_server": "fx.oauth_server",
    "mxreg_probe": "fx.probe",
    "mxreg_registration": "fx.registration",
    "mxreg_signup": "fx.signup_needs_stage",
    "mxreg_tokens": "fx.tokens",
}

# Handles passed without const are changed by calls that succeed. A call
# that may succeed gets a fresh one (freed afterwards); a call that must be
# refused gets the shared fixture, which must be unchanged afterwards.
MUTABLE_HANDLES = {
    # type: (fresh handle expression, its free function, unchanged check)
    "mxreg_signup": ("fresh_signup()", "mxreg_signup_free", "signup_unchanged"),
}

# Handles in a finished state: every call that would change them is refused
# with MXREG_RESULT_INVALID_STATE and leaves them in that state.
FINISHED_HANDLES = {
    "mxreg_signup": [
        ("complete", "fx.signup_complete", "MXREG_SIGNUP_STATE_COMPLETE"),
        ("failed", "fx.signup_failed", "MXREG_SIGNUP_STATE_FAILED"),
    ],
}
STATUS_ACCESSOR = {"mxreg_signup": "mxreg_signup_status"}

# Request structs: the C function that fills a valid one.
REQUEST_FIXTURES = {
    "mxreg_client_options": "fill_client_options",
    "mxreg_login_request": "fill_login_request",
    "mxreg_oauth_authorization_request": "fill_oauth_authorization_request",
    "mxreg_oauth_client_metadata": "fill_oauth_client_metadata",
    "mxreg_register_request": "fill_register_request",
}

# Valid string and scalar arguments: by (function, parameter), else by parameter.
ARGUMENT_VALUES: dict[str | tuple[str, str], str] = {
    ("mxreg_oauth_server_discover", "client"): "fx.oauth_client",
    ("mxreg_signup_restore", "saved"): "fx.saved_signup",
    ("mxreg_oauth_authorization_restore", "saved"): "fx.saved_authorization",
    "action": "MXREG_SSO_ACTION_REGISTER",
    "auth_json": "DUMMY_AUTH_JSON",
    "check_guest_access": "false",
    "client_id": "fx.client_id",
    "code": '"123456"',
    "country": '"GB"',
    "device_id": '"MXREGMISUSE"',
    "email": '"misuse@example.org"',
    "flow": "0",
    "homeserver_url": "fx.open_url",
    "idp_id": '"oidc-misuse"',
    "index": "0",
    "language": '"en"',
    "next_link": '"https://example.org/next"',
    "phone_number": '"07700900123"',
    "received_redirect_url": '"http://127.0.0.1:9/mxreg-misuse?loginToken=mxreg-misuse-token"',
    "redirect_url": "STRAY_REDIRECT_URL",
    "refresh_token": '"mxreg-misuse-refresh-token"',
    "response": '"mxreg-misuse-captcha"',
    "server": "fx.open_url",
    "server_name": '"localhost"',
    "stage": "0",
    "supported_stages": "MXREG_STAGES_ALL",
    "token": '"mxreg-misuse-token"',
    "username": '"misuse"',
}

# Accessor parameters the doc comment does not call optional although they
# are: (function, parameter) -> why.
OPTIONAL_OVERRIDES = {
    ("mxreg_signup_policy_url", "language"): "same fallback as mxreg_signup_policy_name",
}

# README.md: strings are at most 64 KiB, JSON documents 1 MiB. A document is
# a parameter or field named `saved` (mxreg_*_save's JSON) or `*_json`.
DOCUMENT_NAME = re.compile(r"^(saved|\w+_json)$")

# Integer return types of accessors and what they give for a NULL handle.
ZERO_RETURNS = {"size_t", "uint16_t", "uint32_t", "uint64_t"}
MINUS_ONE_RETURNS = {"int64_t"}


# ---- classification --------------------------------------------------------


def documented_optional(fn: Function, name: str) -> bool:
    """The doc comment says NULL is allowed for `name`."""
    if (fn.name, name) in OPTIONAL_OVERRIDES:
        return True
    pattern = rf"`{name}`\)?\s*(?:\((?:may be )?NULL|may be NULL)"
    return re.search(pattern, one_line(fn.doc)) is not None


def classify(fn: Function, header: Header) -> str:
    pointers = [p for p in fn.params if p.ctype.depth > 0]
    last = fn.params[-1] if fn.params else None
    if fn.name.endswith("_free"):
        if fn.returns.text != "void" or len(fn.params) != 1 or not pointers:
            raise HeaderError(f"{fn.name}: a _free function takes one pointer and returns void")
        return "free"
    if fn.name.endswith("_init"):
        if fn.returns.text != "void" or len(pointers) != 1 or pointers[0].ctype.base not in header.structs:
            raise HeaderError(f"{fn.name}: an _init function takes one request struct pointer")
        return "init"
    if (
        fn.returns.text == "mxreg_result"
        and last is not None
        and last.name == "error_out"
        and last.ctype.base == "mxreg_error"
        and last.ctype.depth == 2
    ):
        return "fallible"
    if not pointers:
        return "pure"
    first = fn.params[0]
    if fn.returns.text != "void" and first.ctype.depth == 1 and first.ctype.base in header.opaque:
        for param in fn.params[1:]:
            if param.ctype.depth and not (param.ctype.is_string and documented_optional(fn, param.name)):
                raise HeaderError(
                    f"{fn.name}: accessor parameter `{param.name}` is a pointer the doc does not "
                    "call optional; say what NULL means, or add it to OPTIONAL_OVERRIDES"
                )
        return "accessor"
    raise HeaderError(
        f"{fn.name}: cannot classify (not fallible, accessor, free, init or pure); "
        "teach scripts/gen_misuse_cases.py its contract"
    )


def null_fallback(fn: Function, header: Header) -> str:
    """What an accessor returns for a NULL handle, as a C expression."""
    ret = fn.returns
    if ret.depth > 0:
        return "NULL"
    if ret.base == "bool":
        return "false"
    if ret.base in ZERO_RETURNS:
        return "0"
    if ret.base in MINUS_ONE_RETURNS:
        if "-1" not in one_line(fn.doc):
            raise HeaderError(f"{fn.name}: an int64_t accessor whose doc does not give -1")
        return "-1"
    if ret.base in header.enums:
        match = re.search(r"`(MXREG_\w+)` for NULL", one_line(fn.doc))
        if match is None or match[1] not in header.enums[ret.base].values:
            raise HeaderError(f"{fn.name}: returns {ret.base}; its doc must say which value NULL gives")
        return match[1]
    raise HeaderError(f"{fn.name}: no NULL fallback known for return type {ret.text}")


def named_enum(doc: str, phrase: str, header: Header, where: str) -> str | None:
    """The enum that `phrase` (a pattern whose group 1 is the name) names in
    `doc`; None when the doc has no such phrase."""
    match = re.search(phrase, one_line(doc))
    if match is None:
        return None
    if match[1] not in header.enums:
        raise HeaderError(f"{where} names an unknown enum {match[1]}")
    return match[1]


def text_limit(name: str) -> str:
    return "fx.long_document" if DOCUMENT_NAME.match(name) else "fx.long_text"


def c_string_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- emitting --------------------------------------------------------------


@dataclass
class Case:
    kind: str
    ident: str
    title: str
    body: list[str]


class Generator:
    def __init__(self, header: Header) -> None:
        self.header = header
        self.by_name = {fn.name: fn for fn in header.functions}
        self.cases: list[Case] = []

    # -- helpers for values and declarations --

    def free_function(self, ctype: CType) -> str:
        if ctype.base == "char":
            return "mxreg_string_free"
        name = f"{ctype.base}_free"
        if name not in self.by_name:
            raise HeaderError(f"no free function for {ctype.text}")
        return name

    def valid_value(self, fn: Function, param: Decl) -> str:
        ctype = param.ctype
        if (fn.name, param.name) in ARGUMENT_VALUES:
            return ARGUMENT_VALUES[(fn.name, param.name)]
        if ctype.depth == 1 and ctype.base in self.header.opaque:
            if ctype.base not in HANDLE_FIXTURES:
                field = ctype.base.removeprefix("mxreg_")
                raise HeaderError(
                    f"{fn.name}: no fixture handle for {ctype.base}. Add `{ctype.base} *{field};` to `fx` in "
                    f"tests/c/test_misuse.c (built in its setup, freed in its teardown) and "
                    f"`\"{ctype.base}\": \"fx.{field}\",` to HANDLE_FIXTURES in scripts/gen_misuse_cases.py"
                )
            return HANDLE_FIXTURES[ctype.base]
        if param.name in ARGUMENT_VALUES:
            return ARGUMENT_VALUES[param.name]
        raise HeaderError(f"{fn.name}: no valid value for `{param.name}` ({ctype.text}); add it to ARGUMENT_VALUES")

    def mutable(self, fn: Function, param: Decl) -> tuple[str, str, str]:
        if param.ctype.base not in MUTABLE_HANDLES:
            raise HeaderError(f"{fn.name}: `{param.name}` is a mutable {param.ctype.base}; add it to MUTABLE_HANDLES")
        return MUTABLE_HANDLES[param.ctype.base]

    def outputs(self, fn: Function) -> list[Decl]:
        return [p for p in fn.params[:-1] if p.name.endswith("_out")]

    def declarations(self, fn: Function, padded: str | None = None) -> list[str]:
        lines = []
        for param in fn.params[:-1]:
            ctype = param.ctype
            if param.name.endswith("_out"):
                if ctype.depth == 2:
                    pointee = ctype.text[: ctype.text.rindex("*")]
                    lines.append(f"{pointee}{param.name} = SENTINEL;")
                elif ctype.text == "bool *":
                    lines.append(f"unsigned char {param.name}[sizeof(bool)];")
                else:
                    raise HeaderError(f"{fn.name}: output `{param.name}` of type {ctype.text}")
            elif ctype.depth == 1 and ctype.base in self.header.structs:
                if ctype.base not in REQUEST_FIXTURES:
                    raise HeaderError(f"{fn.name}: no filler for {ctype.base}; add it to REQUEST_FIXTURES")
                if param.name == padded:
                    # Room past the struct, for a struct_size that claims more.
                    lines.append(f"union {{ {ctype.base} value; unsigned char bytes[sizeof({ctype.base}) + 64]; }} {param.name};")
                else:
                    lines.append(f"{ctype.base} {param.name};")
        return lines

    def preparations(self, fn: Function, padded: str | None = None) -> list[str]:
        lines = []
        for param in fn.params[:-1]:
            ctype = param.ctype
            if param.name.endswith("_out") and ctype.text == "bool *":
                lines.append(f"memset({param.name}, UNWRITTEN_BYTE, sizeof {param.name});")
            elif ctype.depth == 1 and ctype.base in self.header.structs:
                if param.name == padded:
                    lines.append(f"memset(&{param.name}, 0, sizeof {param.name});")
                    lines.append(f"{REQUEST_FIXTURES[ctype.base]}(&{param.name}.value);")
                else:
                    lines.append(f"{REQUEST_FIXTURES[ctype.base]}(&{param.name});")
        return lines

    def argument(self, fn: Function, param: Decl, padded: str | None = None) -> str:
        ctype = param.ctype
        if param.name.endswith("_out") and param is not fn.params[-1]:
            return f"(bool *)(void *){param.name}" if ctype.text == "bool *" else f"&{param.name}"
        if ctype.depth == 1 and ctype.base in self.header.structs:
            return f"&{param.name}.value" if param.name == padded else f"&{param.name}"
        return self.valid_value(fn, param)

    def call(self, fn: Function, overrides: dict[str, str], error: str, padded: str | None = None) -> str:
        args = []
        for param in fn.params:
            if param.name in overrides:
                args.append(overrides[param.name])
            elif param is fn.params[-1] and fn.params[-1].name == "error_out":
                args.append(error)
            else:
                args.append(self.argument(fn, param, padded))
        return f"{fn.name}({', '.join(args)})"

    def unwritten_checks(self, fn: Function, skip: str = "") -> list[str]:
        lines = []
        for out in self.outputs(fn):
            if out.name == skip:
                continue
            if out.ctype.text == "bool *":
                lines.append(f"CHECK(unwritten({out.name}, sizeof {out.name}));")
            else:
                lines.append(f"CHECK((const void *){out.name} == SENTINEL);")
        return lines

    def output_cleanup(self, fn: Function) -> list[str]:
        lines = []
        for out in self.outputs(fn):
            if out.ctype.depth == 2:
                free = self.free_function(parse_type(out.ctype.text[: out.ctype.text.rindex("*")]))
                lines.append(f"if ((const void *){out.name} != SENTINEL) {{ {free}({out.name}); }}")
        return lines

    def shared_mutable(self, fn: Function, overrides: dict[str, str]) -> list[str]:
        """Checks that shared mutable fixtures passed to a refused call are unchanged."""
        lines = []
        for param in fn.params:
            ctype = param.ctype
            if param.name in overrides or ctype.depth != 1 or ctype.base not in self.header.opaque:
                continue
            if not ctype.const_pointee:
                check = self.mutable(fn, param)[2]
                lines.append(f"CHECK({check}({self.valid_value(fn, param)}));")
        return lines

    def add(self, kind: str, ident: str, title: str, body: list[str]) -> None:
        self.cases.append(Case(kind, ident, title, body))

    def refused(
        self,
        fn: Function,
        kind: str,
        ident: str,
        title: str,
        overrides: dict[str, str],
        code: str,
        name: str | None,
        detail: str | None,
        setup: list[str] | None = None,
        loop: str | None = None,
        padded: str | None = None,
        skip_output: str = "",
        after: list[str] | None = None,
        before: list[str] | None = None,
    ) -> None:
        """A fallible call that must fail with `code`, twice (with and without error_out)."""
        name_c = c_string_literal(name) if name else "NULL"
        detail_c = c_string_literal(detail) if detail else "NULL"
        body = (before or []) + ["mxreg_error *error = NULL;", "mxreg_result rc;"]
        if loop:
            body.append("size_t i;")
        body += self.declarations(fn, padded)
        inner = self.preparations(fn, padded) + (setup or [])
        inner.append(f"rc = {self.call(fn, overrides, '&error', padded)};")
        inner.append(f"CHECK(expect_refused(rc, {code}, &error, {name_c}, {detail_c}));")
        inner += self.unwritten_checks(fn, skip_output)
        inner.append(f"rc = {self.call(fn, overrides, 'NULL', padded)};")
        inner.append(f"CHECK(expect_code(rc, {code}));")
        inner += self.unwritten_checks(fn, skip_output)
        inner += self.shared_mutable(fn, overrides) + (after or [])
        if loop:
            body.append(f"for (i = 0; i < {loop}; i++) {{")
            body += inner
            body.append("}")
        else:
            body += inner
        body.append("cleanup:")
        body += self.output_cleanup(fn)
        body.append("mxreg_error_free(error);")
        self.add(kind, ident, title, body)

    # -- the case families --

    def fallible_cases(self, fn: Function) -> None:
        for param in fn.params:
            ctype = param.ctype
            if ctype.depth == 0:
                self.scalar_cases(fn, param)
                continue
            optional = param.name == "error_out" or documented_optional(fn, param.name)
            ident = f"null__{fn.name}__{param.name}"
            title = f"{fn.name}: NULL `{param.name}`"
            if optional:
                self.optional_null(fn, param, ident, title)
            else:
                self.refused(
                    fn, "null", ident, title, {param.name: "NULL"},
                    "MXREG_RESULT_NULL_ARGUMENT", param.name, None, skip_output=param.name,
                )
            if ctype.is_string:
                self.text_cases(fn, param.name)
            elif ctype.depth == 1 and ctype.base in self.header.structs:
                self.struct_cases(fn, param)
        self.finished_cases(fn)

    def optional_null(self, fn: Function, param: Decl, ident: str, title: str) -> None:
        """NULL where the contract allows it: accepted, outputs written only on success."""
        overrides = {param.name: "NULL"}
        body = ["mxreg_error *error = NULL;", "mxreg_result rc;"]
        fresh: list[tuple[str, str]] = []
        for other in fn.params:
            ctype = other.ctype
            if other is param or ctype.depth != 1 or ctype.base not in self.header.opaque or ctype.const_pointee:
                continue
            expression, free, _ = self.mutable(fn, other)
            local = f"own_{other.name}"
            body.append(f"{ctype.text.replace('struct ', '')}{local} = {expression};")
            overrides[other.name] = local
            fresh.append((local, free))
        body += self.declarations(fn)
        body += self.preparations(fn)
        for local, _ in fresh:
            body.append(f"CHECK({local} != NULL);")
        error = "NULL" if param.name == "error_out" else "&error"
        body.append(f"rc = {self.call(fn, overrides, error)};")
        body.append("CHECK(expect_accepted(rc, &error));")
        for out in self.outputs(fn):
            if out.name == param.name:
                continue
            if out.ctype.text == "bool *":
                body.append(f"CHECK((rc == MXREG_RESULT_OK) != unwritten({out.name}, sizeof {out.name}));")
            else:
                body.append(f"CHECK((rc == MXREG_RESULT_OK) == ((const void *){out.name} != SENTINEL));")
        body.append("cleanup:")
        body += self.output_cleanup(fn)
        for local, free in fresh:
            body.append(f"{free}({local});")
        body.append("mxreg_error_free(error);")
        self.add("null", ident, title, body)

    def text_cases(self, fn: Function, name: str, struct_param: Decl | None = None) -> None:
        """Invalid UTF-8 and over-long text in one string: a parameter, or
        (with `struct_param`) the field `name` = "param.field" of a request."""
        label = name.replace(".", "_")
        bad = {"utf8": "bad_utf8[i]", "long": text_limit(name.split(".")[-1])}
        overrides: dict[str, dict[str, str]] = {}
        setups: dict[str, list[str]] = {}
        for kind, value in bad.items():
            overrides[kind] = {} if struct_param else {name: value}
            setups[kind] = [f"{name} = {value};"] if struct_param else []
        self.refused(
            fn, "utf8", f"utf8__{fn.name}__{label}", f"{fn.name}: invalid UTF-8 in `{name}`",
            overrides["utf8"], "MXREG_RESULT_INVALID_UTF8", name, None, setup=setups["utf8"],
            loop="BAD_UTF8_COUNT",
        )
        self.refused(
            fn, "long", f"long__{fn.name}__{label}", f"{fn.name}: over-long `{name}`",
            overrides["long"], "MXREG_RESULT_INVALID_ARGUMENT", name, "longer than", setup=setups["long"],
        )

    def struct_cases(self, fn: Function, param: Decl) -> None:
        struct = param.ctype.base
        fields = self.header.structs[struct].fields
        self.refused(
            fn, "struct_size", f"struct_size__{fn.name}__{param.name}",
            f"{fn.name}: wrong `{param.name}.struct_size`",
            {}, "MXREG_RESULT_STRUCT_SIZE", f"{param.name}.struct_size", None,
            setup=[f"{param.name}.value.struct_size = wrong_struct_size(sizeof {param.name}.value, i);"],
            loop="WRONG_STRUCT_SIZE_COUNT", padded=param.name,
        )
        names = {f.name for f in fields}
        for field in fields[1:]:
            ctype = field.ctype
            qualified = f"{param.name}.{field.name}"
            label = f"{fn.name}__{param.name}_{field.name}"
            required = field.doc.startswith("Required")
            if ctype.is_string:
                if required:
                    self.refused(
                        fn, "null_field", f"null_field__{label}", f"{fn.name}: NULL `{qualified}`",
                        {}, "MXREG_RESULT_NULL_ARGUMENT", qualified, None,
                        setup=[f"{qualified} = NULL;"],
                    )
                self.text_cases(fn, qualified, struct_param=param)
            elif ctype.is_string_array:
                self.string_array_cases(fn, param, field, names, required)
            elif ctype.depth > 0:
                raise HeaderError(f"{struct}.{field.name}: a pointer field of type {ctype.text}")
            elif ctype.base == "uint32_t":
                enum = named_enum(field.doc, r"An? `(mxreg_\w+)` value", self.header, f"field `{field.name}`")
                if enum is not None:
                    self.enum_case(fn, qualified, label, [f"{qualified} = unknown[i];"], enum, flags=False)

    def string_array_cases(self, fn: Function, param: Decl, field: Decl, names: set[str], required: bool) -> None:
        struct = param.ctype.base
        count_field = field.name.rstrip("s") + "_count"
        if count_field not in names:
            raise HeaderError(f"{struct}.{field.name}: an array without a `{count_field}` field")
        count_doc = next(f.doc for f in self.header.structs[struct].fields if f.name == count_field)
        bounds = re.search(rf"`{field.name}` has: (\d+) to (\d+)", one_line(count_doc))
        if bounds is None:
            raise HeaderError(f"{struct}.{count_field}: the doc must give the range as `N to M`")
        low, high = int(bounds[1]), int(bounds[2])
        array = f"{param.name}.{field.name}"
        count = f"{param.name}.{count_field}"
        label = f"{fn.name}__{param.name}_{field.name}"
        entries = f"const char *entries[{high + 1}];"
        one = [f"{array} = entries;", f"{count} = 1;"]
        if required:
            self.refused(
                fn, "null_field", f"null_field__{label}", f"{fn.name}: NULL `{array}`",
                {}, "MXREG_RESULT_NULL_ARGUMENT", array, None, setup=[f"{array} = NULL;"],
            )
        self.refused(
            fn, "null_field", f"null_entry__{label}", f"{fn.name}: a NULL entry in `{array}`",
            {}, "MXREG_RESULT_NULL_ARGUMENT", array, None, setup=[entries, "entries[0] = NULL;"] + one,
        )
        self.refused(
            fn, "utf8", f"utf8__{label}", f"{fn.name}: invalid UTF-8 in an entry of `{array}`",
            {}, "MXREG_RESULT_INVALID_UTF8", array, None,
            setup=[entries, "entries[0] = bad_utf8[i];"] + one, loop="BAD_UTF8_COUNT",
        )
        self.refused(
            fn, "long", f"long__{label}", f"{fn.name}: an over-long entry in `{array}`",
            {}, "MXREG_RESULT_INVALID_ARGUMENT", array, "longer than",
            setup=[entries, f"entries[0] = {text_limit(field.name)};"] + one,
        )
        # Counts outside the documented range, with that many valid entries.
        fill = f"fill_entries(entries, {high + 1}, {array}[0]);"
        self.refused(
            fn, "range", f"count__{label}", f"{fn.name}: `{count}` outside {low} to {high}",
            {}, "MXREG_RESULT_INVALID_ARGUMENT", count, None,
            setup=[entries, fill, f"{array} = entries;",
                   f"{count} = i == 0 ? {low - 1} : {high + 1};"],
            loop="2",
        )

    def scalar_cases(self, fn: Function, param: Decl) -> None:
        base = param.ctype.base
        if base == "bool":
            return
        value_enum = named_enum(
            fn.doc, rf"`{param.name}` is an? `(mxreg_\w+)` value", self.header, f"{fn.name}: `{param.name}`"
        )
        if base == "uint32_t" and value_enum is not None:
            self.enum_case(fn, param.name, f"{fn.name}__{param.name}", [], value_enum, flags=False,
                           overrides={param.name: "unknown[i]"})
            return
        if base == "uint32_t":
            enum = named_enum(
                fn.doc, rf"`{param.name}` (?:is|are) the `(mxreg_\w+)` flags", self.header, f"{fn.name}: `{param.name}`"
            )
            if enum is None:
                raise HeaderError(f"{fn.name}: uint32_t `{param.name}` without \"`{param.name}` are the `mxreg_x` flags\" "
                                  f"or \"`{param.name}` is an `mxreg_x` value\"")
            self.enum_case(fn, param.name, f"{fn.name}__{param.name}", [], enum, flags=True,
                           overrides={param.name: "unknown[i]"})
            return
        raise HeaderError(f"{fn.name}: scalar parameter `{param.name}` of type {base}")

    def enum_case(self, fn: Function, name: str, label: str, setup: list[str], enum: str, *,
                  flags: bool, overrides: dict[str, str] | None = None) -> None:
        values = self.header.enums[enum].values.values()
        if flags:
            known = 0
            for value in values:
                known |= value
            lowest = next(1 << bit for bit in range(32) if not known & (1 << bit))
            unknown = [lowest, 1 << 31, known | lowest]
            what = "unknown flag bits in"
        else:
            unknown = [max(values) + 1, 0xFFFFFFFF]
            what = "an unknown value in"
        listed = ", ".join(f"{v}u" for v in unknown)
        self.refused(
            fn, "enum", f"enum__{label}", f"{fn.name}: {what} `{name}`",
            overrides or {}, "MXREG_RESULT_INVALID_ARGUMENT", name, None,
            setup=setup, loop=str(len(unknown)),
            before=[f"static const uint32_t unknown[] = {{{listed}}};"],
        )

    def finished_cases(self, fn: Function) -> None:
        first = fn.params[0]
        ctype = first.ctype
        if ctype.depth != 1 or ctype.base not in FINISHED_HANDLES or ctype.const_pointee:
            return
        status = STATUS_ACCESSOR[ctype.base]
        for state, handle, constant in FINISHED_HANDLES[ctype.base]:
            self.refused(
                fn, "finished", f"{state}__{fn.name}", f"{fn.name} on a {state} session",
                {first.name: handle}, "MXREG_RESULT_INVALID_STATE", None, None,
                after=[f"CHECK({status}({handle}) == {constant});"],
            )

    def accessor_cases(self, fn: Function) -> None:
        fallback = null_fallback(fn, self.header)
        first = fn.params[0]
        valid = {p.name: self.valid_value(fn, p) for p in fn.params}

        def call(**changes: str) -> str:
            return f"{fn.name}({', '.join(changes.get(p.name, valid[p.name]) for p in fn.params)})"

        self.add("null", f"null__{fn.name}__{first.name}", f"{fn.name}: NULL `{first.name}`",
                 [f"CHECK({call(**{first.name: 'NULL'})} == {fallback});", "cleanup:;"])
        for param in fn.params[1:]:
            if param.ctype.is_string:
                # No error channel: NULL means the documented default, and text
                # that is not valid (bad UTF-8, too long) counts as absent.
                for kind, value, title in (
                    ("null", "NULL", f"NULL `{param.name}`"),
                    ("utf8", "bad_utf8[i]", f"invalid UTF-8 in `{param.name}`"),
                    ("long", text_limit(param.name), f"over-long `{param.name}`"),
                ):
                    reference = call() if kind == "null" else call(**{param.name: "NULL"})
                    body = ["size_t i;", "const char *expected;",
                            f"for (i = 0; i < {'BAD_UTF8_COUNT' if kind == 'utf8' else '1'}; i++) {{",
                            f"  expected = {reference};",
                            "  CHECK(expected != NULL);",
                            f"  CHECK(same_text({call(**{param.name: value})}, expected));",
                            "}", "cleanup:;"]
                    self.add(kind, f"{kind}__{fn.name}__{param.name}", f"{fn.name}: {title}", body)
            elif param.ctype.base == "size_t" and param.ctype.depth == 0:
                self.index_case(fn, param, call, fallback)
            elif param.ctype.depth == 0 and param.ctype.base != "bool":
                raise HeaderError(f"{fn.name}: accessor parameter `{param.name}` of type {param.ctype.text}")

    def index_case(self, fn: Function, param: Decl, call: Callable[..., str], fallback: str) -> None:
        """Indexes past the end: the count (when a `_count` accessor exists), then huge ones."""
        position = fn.params.index(param)
        leading = fn.params[:position]
        candidates = [f"{fn.name}_count"] if param.name == "index" else []
        if param.name == "index":
            candidates.append(fn.name.rsplit("_", 1)[0] + "_count")
        else:
            prefix = fn.name[: fn.name.find(param.name)] if param.name in fn.name else ""
            if prefix:
                candidates.append(f"{prefix}{param.name}_count")
        counter = next(
            (self.by_name[c] for c in candidates
             if c in self.by_name and [p.ctype for p in self.by_name[c].params] == [p.ctype for p in leading]),
            None,
        )
        body = ["size_t i;", "size_t past_end[3];"]
        if counter is not None:
            args = ", ".join(self.valid_value(fn, p) for p in leading)
            body.append(f"past_end[0] = {counter.name}({args});")
            # The fixture must hold something, or past-the-end proves nothing.
            body.append(f"CHECK(past_end[0] == 0 || {call()} != {fallback});")
        else:
            body.append("past_end[0] = (size_t)1 << 20;")
        body += ["past_end[1] = SIZE_MAX;", "past_end[2] = SIZE_MAX / 2 + 1;",
                 "for (i = 0; i < 3; i++) {",
                 f"  CHECK({call(**{param.name: 'past_end[i]'})} == {fallback});",
                 "}", "cleanup:;"]
        self.add("index", f"index__{fn.name}__{param.name}", f"{fn.name}: `{param.name}` out of range", body)

    def run(self) -> list[str]:
        kinds: Counter[str] = Counter()
        for fn in self.header.functions:
            kind = classify(fn, self.header)
            kinds[kind] += 1
            if kind == "fallible":
                self.fallible_cases(fn)
            elif kind == "accessor":
                self.accessor_cases(fn)
            elif kind in ("free", "init"):
                param = fn.params[0]
                self.add("null", f"null__{fn.name}__{param.name}", f"{fn.name}: NULL `{param.name}` is a no-op",
                         [f"{fn.name}(NULL);"])
        return [f"{count} {kind}" for kind, count in sorted(kinds.items())]


def render(header: Header) -> tuple[str, int, str]:
    generator = Generator(header)
    function_kinds = generator.run()
    idents = Counter(case.ident for case in generator.cases)
    duplicates = [ident for ident, n in idents.items() if n > 1]
    if duplicates:
        raise HeaderError(f"duplicate case names: {', '.join(duplicates)}")
    per_kind = Counter(case.kind for case in generator.cases)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(per_kind.items()))
    out = [
        "/*",
        " * Generated by scripts/gen_misuse_cases.py from include/mxreg.h; do not edit.",
        " * Included by tests/c/test_misuse.c, which provides the fixtures (`fx`) and",
        " * the helpers these cases use.",
        " *",
        f" * Functions: {', '.join(function_kinds)}.",
        f" * {len(generator.cases)} cases: {summary}.",
        " */",
        "#ifndef MXREG_MISUSE_CASES_H",
        "#define MXREG_MISUSE_CASES_H",
        "",
    ]
    for case in generator.cases:
        out.append(f"/* {case.title} */")
        out.append(f"static void {case.ident}(void) {{")
        uses_check = any("CHECK(" in line for line in case.body)
        if uses_check and not any(line.startswith("cleanup:") for line in case.body):
            case.body.append("cleanup:;")
        depth = 1
        for line in (line.strip() for line in case.body):
            if line.startswith("}"):
                depth -= 1
            out.append(line if line.startswith("cleanup:") else "  " * depth + line)
            if line.endswith("{"):
                depth += 1
        out.append("}")
        out.append("")
    out.append("static const struct misuse_case misuse_cases[] = {")
    for case in generator.cases:
        out.append(f"    {{{c_string_literal(case.title)}, {case.ident}}},")
    out.append("};")
    out.append("")
    out.append("#endif /* MXREG_MISUSE_CASES_H */")
    return "\n".join(out) + "\n", len(generator.cases), summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed file is stale")
    args = parser.parse_args(argv)
    try:
        text, count, summary = render(load())
    except HeaderError as err:
        print(f"gen_misuse_cases: {err}", file=sys.stderr)
        return 1
    relative = OUTPUT.relative_to(REPO_ROOT)
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print(f"{relative} is stale: run scripts/gen_misuse_cases.py", file=sys.stderr)
            return 1
        print(f"{relative} is current: {count} cases ({summary})")
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {relative}: {count} cases ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
