#!/usr/bin/env python3
"""Generate the Python binding's raw ctypes layer from include/mxreg.h.

Reads the header through scripts/header_model.py and writes
bindings/python/src/mxreg/_raw.py: constants, enums, struct mirrors and one
typed wrapper per C function with its `argtypes`/`restype`. A type it cannot
map (an unknown scalar or pointee) stops it with an error instead of guessing.

    scripts/gen_python_table.py           # rewrite the table
    scripts/gen_python_table.py --check   # exit 1 when the committed table is stale

Standard library only.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from pathlib import Path

from header_model import HEADER, REPO_ROOT, CType, Header, HeaderError, load, sync

OUTPUT = REPO_ROOT / "bindings" / "python" / "src" / "mxreg" / "_raw.py"

# C scalar types: (ctypes type, Python annotation).
SCALARS: dict[str, tuple[str, str]] = {
    "bool": ("ctypes.c_bool", "bool"),
    "size_t": ("ctypes.c_size_t", "int"),
    "int8_t": ("ctypes.c_int8", "int"),
    "int16_t": ("ctypes.c_int16", "int"),
    "int32_t": ("ctypes.c_int32", "int"),
    "int64_t": ("ctypes.c_int64", "int"),
    "uint8_t": ("ctypes.c_uint8", "int"),
    "uint16_t": ("ctypes.c_uint16", "int"),
    "uint32_t": ("ctypes.c_uint32", "int"),
    "uint64_t": ("ctypes.c_uint64", "int"),
    "int": ("ctypes.c_int", "int"),
    "double": ("ctypes.c_double", "float"),
    "float": ("ctypes.c_float", "float"),
}


# --------------------------------------------------------------------------
# mapping to ctypes
# --------------------------------------------------------------------------


class TypeMap:
    """Maps parsed C types to ctypes expressions and Python annotations."""

    def __init__(self, header: Header) -> None:
        self.enum_bases = {e.name: e.base for e in header.enums.values()}
        self.records = set(header.opaque) | set(header.structs)

    def scalar(self, base: str) -> tuple[str, str] | None:
        base = self.enum_bases.get(base, base)
        return SCALARS.get(base)

    def pointer_target(self, base: str) -> str:
        if base in self.records:
            return base
        scalar = self.scalar(base)
        if scalar:
            return scalar[0]
        raise HeaderError(f"unknown pointee type {base!r}")

    def ctypes_expr(self, t: CType, *, is_return: bool) -> str:
        if t.depth == 0:
            if t.base == "void":
                return "None"
            scalar = self.scalar(t.base)
            if scalar:
                return scalar[0]
            raise HeaderError(f"unknown type {t.base!r}")
        if t.base == "char":
            # `const char *` is a borrowed string, read as bytes. A non-const
            # `char *` is a string the library hands over (or takes back, as
            # in `mxreg_string_free`): keep it a raw address so that the
            # caller can read it and then free it.
            text = "ctypes.c_char_p" if t.const_pointee else "ctypes.c_void_p"
            return _pointer(text, t.depth - 1)
        if t.base == "void":
            return _pointer("ctypes.c_void_p", t.depth - 1)
        return _pointer(self.pointer_target(t.base), t.depth)

    def pointee_annotation(self, t: CType) -> str:
        """The type a pointer of `t` points to, as written in an annotation."""
        if t.base == "char":
            return "ctypes.c_char_p" if t.const_pointee else "ctypes.c_void_p"
        if t.base == "void":
            return "ctypes.c_void_p"
        return self.pointer_target(t.base)

    def annotation(self, t: CType, *, is_return: bool, is_field: bool = False) -> str:
        expr = self.ctypes_expr(t, is_return=is_return)
        if expr == "None":
            return "None"
        if expr == "ctypes.c_char_p":
            return "bytes | None"
        if expr == "ctypes.c_void_p":
            return "int | None"
        if t.depth == 0:
            return self.scalar(t.base)[1]  # type: ignore[index]
        depth = t.depth - 1 if t.base in ("char", "void") else t.depth
        pointer = _pointer_annotation(self.pointee_annotation(t), depth)
        return pointer if is_return or is_field else f"{pointer} | ctypes._CArgObject | None"


def _pointer_annotation(target: str, depth: int) -> str:
    for _ in range(depth):
        target = f"ctypes._Pointer[{target}]"
    return target


def _pointer(target: str, depth: int) -> str:
    for _ in range(depth):
        target = f"ctypes.POINTER({target})"
    return target


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------


def docstring(text: str, indent: str) -> list[str]:
    if not text:
        return []
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.splitlines()
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out += [f"{indent}{line}" if line else "" for line in lines[1:]]
    out.append(f'{indent}"""')
    return out


def python_name(c_name: str) -> str:
    """A C name that is a Python keyword (`from`, `lambda`) gets a trailing underscore."""
    return c_name + "_" if keyword.iskeyword(c_name) else c_name


def python_literal(value: str) -> str:
    if re.fullmatch(r"-?\d+", value):
        return value
    if re.fullmatch(r'"[^"\\]*"', value):
        return value
    raise HeaderError(f"cannot translate #define value {value!r}")


def render(header: Header) -> str:
    types = TypeMap(header)
    out: list[str] = [
        '"""The raw C API of libmxreg as ctypes declarations.',
        "",
        "GENERATED by scripts/gen_python_table.py from include/mxreg.h: do not",
        "edit. `make test` fails when this file is stale; regenerate it with",
        "`python3 scripts/gen_python_table.py`.",
        "",
        "Everything here mirrors the header one to one. The idiomatic API is the",
        "`mxreg` package; use this module only for what it does not wrap yet.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import ctypes",
        "import enum",
        "",
        "from . import _loader",
        "",
    ]
    for define in header.defines:
        out.append(f"{define.name} = {python_literal(define.value)}")
    out.append("")

    for e in header.enums.values():
        if e.base not in SCALARS:
            raise HeaderError(f"enum {e.name} has no integer typedef")
        prefix = e.name.upper() + "_"
        values = [m.value for m in e.members]
        # Distinct powers of two are flags meant to be combined with `|`.
        is_flags = len(values) > 2 and all(v > 0 and v & (v - 1) == 0 for v in values)
        out += ["", f"class {e.name}(enum.{'IntFlag' if is_flags else 'IntEnum'}):"]
        out += docstring(e.doc, "    ")
        out.append("")
        for m in e.members:
            if not m.name.startswith(prefix):
                raise HeaderError(f"{m.name} does not start with {prefix}")
            out.append(f"    {m.name.removeprefix(prefix)} = {m.value}")
            out += docstring(m.doc, "    ")
        out.append("")
        out.append("")
        for m in e.members:
            out.append(f"{m.name} = {m.value}")
        out.append("")

    for opaque in header.opaque.values():
        out += ["", f"class {opaque.name}(ctypes.Structure):"]
        out += docstring(opaque.doc or "An opaque handle.", "    ")
        out.append("")

    sized_structs = []
    for s in header.structs.values():
        if not s.fields or s.fields[0].name != "struct_size":
            raise HeaderError(f"request struct {s.name} does not start with struct_size")
        if not any(f.name == f"{s.name}_size" for f in header.functions):
            raise HeaderError(f"request struct {s.name} has no {s.name}_size() to check it against")
        sized_structs.append(s.name)
        out += ["", f"class {s.name}(ctypes.Structure):"]
        out += docstring(s.doc, "    ")
        out.append("")
        out.append("    _fields_ = [")
        for f in s.fields:
            out.append(f'        ("{python_name(f.name)}", {types.ctypes_expr(f.ctype, is_return=False)}),')
        out.append("    ]")
        for f in s.fields:
            out.append(f"    {python_name(f.name)}: {types.annotation(f.ctype, is_return=False, is_field=True)}")
        out.append("")

    out += [
        "",
        "# Loading checks the ABI version before any other symbol is bound.",
        "_lib = _loader.open_library(MXREG_ABI_VERSION)",
        "",
    ]

    for fn in header.functions:
        restype = types.ctypes_expr(fn.returns, is_return=True)
        argtypes = ", ".join(types.ctypes_expr(p.ctype, is_return=False) for p in fn.params)
        params = ", ".join(f"{python_name(p.name)}: {types.annotation(p.ctype, is_return=False)}" for p in fn.params)
        names = ", ".join(python_name(p.name) for p in fn.params)
        returns = types.annotation(fn.returns, is_return=True)
        out += [
            "",
            f'_{fn.name} = _loader.bind(_lib, "{fn.name}", {restype}, [{argtypes}])',
            "",
            "",
            f"def {fn.name}({params}) -> {returns}:",
        ]
        out += docstring(fn.doc, "    ")
        if returns == "None":
            out.append(f"    _{fn.name}({names})")
        else:
            out.append(f"    result: {returns} = _{fn.name}({names})")
            out.append("    return result")
        out.append("")

    out += ["", "# Every mirrored request struct, with the function giving its size in the library."]
    out.append("STRUCT_SIZE_FUNCTIONS = {")
    for name in sized_structs:
        out.append(f'    "{name}": ({name}, {name}_size),')
    out.append("}")
    out += ["", "_loader.check_struct_sizes(STRUCT_SIZE_FUNCTIONS)", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed table is stale")
    parser.add_argument("--header", type=Path, default=HEADER, help="the C header (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the Python module (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        generated = render(load(args.header))
    except HeaderError as err:
        print(f"gen_python_table: {args.header}: {err}", file=sys.stderr)
        return 1
    current = sync(args.output, generated, check=args.check, command="python3 scripts/gen_python_table.py")
    return 0 if current else 1


if __name__ == "__main__":
    sys.exit(main())
