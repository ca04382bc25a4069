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

import json
import keyword
import sys

from header_model import REPO_ROOT, SCALARS, CType, Header, HeaderError, generator_main

OUTPUT = REPO_ROOT / "bindings" / "python" / "src" / "mxreg" / "_raw.py"

# --------------------------------------------------------------------------
# mapping to ctypes
# --------------------------------------------------------------------------


class TypeMap:
    """Maps parsed C types to ctypes expressions and Python annotations."""

    def __init__(self, header: Header) -> None:
        self.header = header
        self.records = set(header.opaque) | set(header.structs)

    def scalar(self, base: str) -> tuple[str, str] | None:
        """(ctypes type, Python annotation) of a scalar, through enums to their integer type."""
        name = self.header.scalar(base)
        if name is None:
            return None
        ctypes_name = name if name == "size_t" else name.removesuffix("_t")
        return f"ctypes.c_{ctypes_name}", SCALARS[name][0]

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


def class_head(name: str, base: str, doc: str) -> list[str]:
    return ["", f"class {name}({base}):"] + docstring(doc, "    ") + [""]


def python_name(c_name: str) -> str:
    """A C name that is a Python keyword (`from`, `lambda`) gets a trailing underscore."""
    return c_name + "_" if keyword.iskeyword(c_name) else c_name


def python_literal(value: int | str) -> str:
    return json.dumps(value)


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
        prefix = e.name.upper() + "_"
        values = [m.value for m in e.members]
        # Distinct powers of two are flags meant to be combined with `|`.
        is_flags = len(values) > 2 and all(v > 0 and v & (v - 1) == 0 for v in values)
        out += class_head(e.name, f"enum.{'IntFlag' if is_flags else 'IntEnum'}", e.doc)
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
        out += class_head(opaque.name, "ctypes.Structure", opaque.doc or "An opaque handle.")

    for s in header.structs.values():
        out += class_head(s.name, "ctypes.Structure", s.doc)
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
    for name in header.structs:
        out.append(f'    "{name}": ({name}, {name}_size),')
    out.append("}")
    out += ["", "_loader.check_struct_sizes(STRUCT_SIZE_FUNCTIONS)", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(generator_main("gen_python_table", __doc__, lambda header: {OUTPUT: render(header)}))
