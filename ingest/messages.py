"""Every message about an uploaded file, in Chinese and in English.

A loader never writes a sentence: it makes a `Msg(id, **params)` whose id names
a template in `CATALOGUE` (here for the toolkit and designations files,
`ingest.messages_geo` for boundary files). A `Msg` is a `str` holding its
English text, so code and tests that treat messages as text keep working, and it
also keeps its id and parameters, so that `render("zh")` gives the same message
in Chinese at display time: the app judges a file once and shows the cached
judgement in whichever language the user switches to.

Parameters are values, never sentences: numbers (formatted by the template,
`{n:,}`), user values already shortened and escaped by `ingest.text` (`show`,
`clip`; they stay verbatim in both languages), other messages (`Msg`, rendered
in the same language) and lists of them (`Seq`). A parameter is never parsed as
a template, so a user value holding "{" cannot change a message.

Templates use `str.format` syntax plus one addition for English plurals:
`{n:?row|rows}` is "row" when n == 1, else "rows".
"""

from __future__ import annotations

import functools
import numbers
import string
from dataclasses import dataclass
from typing import Any

from ingest.messages_des import DES
from ingest.messages_geo import GEO

LANGS = ("zh", "en")

# Joining lists of messages: "; " and "、" read as a list in each language.
SEPARATORS = {
    "semi": ("；", "; "),
    "list": ("、", ", "),
    "or": (" 或 ", " or "),
    "and": (" 和 ", " and "),
}


class Msg(str):
    """A user-facing message: the English text, plus `id` and `params` to render it
    in any language (`render`). Picklable (it crosses the judging worker's
    boundary) and small: the parameters, not the rendered Chinese, are kept."""

    id: str
    params: tuple[tuple[str, Any], ...]

    def __new__(cls, mid: str, /, **params: Any) -> Msg:
        if mid not in CATALOGUE:
            raise KeyError(f"no message {mid!r} in the catalogue")
        frozen = tuple([(k, v if type(v) in _PLAIN else _plain(mid, k, v)) for k, v in params.items()])
        self = super().__new__(cls, _render(mid, frozen, "en"))
        self.id = mid
        self.params = frozen
        return self

    def render(self, lang: str) -> str:
        """The message in `lang` ("zh" or "en"), as plain text."""
        if lang == "en":
            return str.__str__(self)
        return _render(self.id, self.params, lang)

    def __reduce__(self):
        return (_restore, (self.id, self.params))

    def __repr__(self) -> str:
        return f"Msg({self.id!r}: {str.__repr__(self)})"


def _plain(mid: str, key: str, v: Any) -> Any:
    """A parameter as a plain picklable value (numpy numbers become int/float)."""
    if isinstance(v, (str, Seq)):
        return v
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return float(v)
    raise TypeError(f"message {mid}: parameter {key} is {type(v).__name__}, not text, a number or a Seq")


_PLAIN = frozenset({str, int, float, Msg})


def _restore(mid: str, params: tuple) -> Msg:
    return Msg(mid, **dict(params))


@dataclass(frozen=True)
class Seq:
    """Several messages or values shown as one list, joined the way each language
    joins them (`SEPARATORS`)."""

    items: tuple
    sep: str = "semi"

    def __post_init__(self) -> None:
        if self.sep not in SEPARATORS:
            raise ValueError(f"separator {self.sep!r} is not one of {', '.join(SEPARATORS)}")
        object.__setattr__(self, "items", tuple(_plain("Seq", str(i), x) for i, x in enumerate(self.items)))

    def render(self, lang: str) -> str:
        joiner = SEPARATORS[self.sep][LANGS.index(lang)]
        return joiner.join(render(x, lang) for x in self.items)


def render(value: Any, lang: str) -> str:
    """A message, a Seq or a plain value as text in `lang`."""
    if isinstance(value, (Msg, Seq)):
        return value.render(lang)
    return str(value)


class _Arg:
    """One parameter while a template is filled in: renders nested messages in the
    template's language and understands the plural spec `?one|many`."""

    __slots__ = ("lang", "value")

    def __init__(self, value: Any, lang: str) -> None:
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        v = self.value
        if spec.startswith("?"):
            one, _, many = spec[1:].partition("|")
            return one if v == 1 else many
        if isinstance(v, (Msg, Seq)):
            v = v.render(self.lang)
        elif isinstance(v, str):
            v = str.__str__(v)
        return format(v, spec)


def _render(mid: str, params: tuple, lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}")
    i = LANGS.index(lang)
    template = CATALOGUE[mid][i]
    plural = _plural_fields(template)
    # Plain values format themselves (a Msg is its English text): only what needs
    # rendering in another language, a Seq or a plural spec goes through _Arg.
    # This keeps a file with a problem in every row fast.
    return template.format_map({
        k: _Arg(v, lang) if (isinstance(v, Seq) or k in plural or (i == 0 and isinstance(v, Msg))) else v
        for k, v in params
    })


@functools.cache
def _plural_fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, spec, _ in string.Formatter().parse(template) if name and spec
                     and spec.startswith("?"))


def fields(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# ---------------------------------------------------------------- the catalogue
# id: (Chinese, English). Chinese is formal 简体中文 with the app's terms
# (views/i18n.py): 集群, 城市, 定位, 依据, 类别, 原文, 点名, 边界, 行政区划代码.

CORE = {
    # -- where a problem is (ingest.report)
    "loc.row": ("第 {row} 行", "row {row}"),
    "loc.row_where": ("第 {row} 行 {where}", "row {row} {where}"),
    "loc.column_letter": ("{letter} 列", "column {letter}"),
    "problem.row": ("第 {row} 行：{message}", "row {row}: {message}"),
    "problem.row_column": ("第 {row} 行 {column}：{message}", "row {row}:{column}: {message}"),
    "problem.column": ("{column}：{message}", "{column}: {message}"),
    "report.more": ("另有 {n:,} 个问题（仅列出前 {cap} 个）",
                    "and {n:,} more problem{n:?|s} (only the first {cap} are listed)"),
    "file.message": ("{path}：{message}", "{path}: {message}"),
    "cli.note": ("{path}: 说明：{message}", "{path}: note: {message}"),
    "text": ("{text}", "{text}"),  # text from elsewhere, shown as it is
    "word.none": ("无", "none"),
    "word.nothing": ("无", "nothing"),
    "file.empty": ("文件是空的", "the file is empty"),
    "noun.zip": ("zip 压缩包", "zip"),
    "noun.workbook": ("工作簿", "workbook"),
    # -- decoding and text checks (ingest.text)
    "text.read_utf8_bom": ("已按 UTF-8（带字节顺序标记）读取", "read as UTF-8 (with byte-order mark)"),
    "text.read_utf8": ("已按 UTF-8 读取", "read as UTF-8"),
    "text.read_wide": ("已按 {encoding}（带字节顺序标记）读取", "read as {encoding} (with byte-order mark)"),
    "text.read_wide_nobom": ("已按 {encoding} 读取（文件没有字节顺序标记，按零字节的位置判断）",
                             "read as {encoding} (the file has no byte-order mark; told by where its zero bytes are)"),
    "text.read_gb18030": ("已按 GB18030（GBK）读取，即中文版 Windows 上 Excel 保存 CSV 所用的编码",
                          "read as GB18030 (GBK), the encoding Excel uses for CSV on Chinese Windows"),
    "text.bad_utf8_bom": ("文件以 UTF-8 字节顺序标记开头，但偏移 {offset} 处的字节 0x{byte:02X} 不是 UTF-8；"
                          "请重新另存为“CSV UTF-8(逗号分隔)”",
                          "the file starts with a UTF-8 byte-order mark but byte 0x{byte:02X} at offset {offset} "
                          "is not UTF-8; save it again as 'CSV UTF-8'"),
    "text.bad_wide": ("文件以 {encoding} 字节顺序标记开头，但不是有效的 {encoding} 文本；"
                      "可接受 UTF-8、UTF-16、UTF-32 和 GB18030/GBK，请重新另存为“CSV UTF-8(逗号分隔)”",
                      "the file starts with a {encoding} byte-order mark but is not valid {encoding}; "
                      "UTF-8, UTF-16, UTF-32 and GB18030/GBK are accepted: save it again as 'CSV UTF-8'"),
    "text.undecodable": ("文件不是 UTF-8、UTF-16、UTF-32 或 GB18030/GBK 文本：偏移 {offset} 处的字节 0x{byte:02X} "
                         "无法解码；请另存为“CSV UTF-8(逗号分隔)”",
                         "the file is not UTF-8, UTF-16, UTF-32 or GB18030/GBK text: byte 0x{byte:02X} at offset "
                         "{offset} cannot be decoded; save it as 'CSV UTF-8 (comma delimited)'"),
    "text.bidi": ("含有双向控制字符 U+{code:04X}（第 {pos} 个字符），它会使文字以误导的顺序显示；请删除该字符",
                  "contains the bidirectional control character U+{code:04X} at character {pos}, "
                  "which can make text display in a misleading order; remove it"),
    "text.control": ("含有控制字符 U+{code:04X}（第 {pos} 个字符）；只允许制表符和换行符",
                     "contains the control character U+{code:04X} at character {pos}; "
                     "only tab and line breaks are allowed"),
    "text.surrogate": ("含有未配对的代理字符 U+{code:04X}（第 {pos} 个字符）；只允许制表符和换行符",
                       "contains the unpaired surrogate U+{code:04X} at character {pos}; "
                       "only tab and line breaks are allowed"),
    # -- the map approval number (ingest.approval) and the boundaries it needs; {examples}
    # are approval numbers as printed, the same in both languages
    "approval.control": ("审图号 {value} 含有控制字符或格式字符 U+{code:04X}（第 {pos} 个字符）；"
                         "请按批准文件填写，一行，最多 {max} 个字符，例如 {examples}",
                         "the map approval number {value} contains the control or format character U+{code:04X} "
                         "at character {pos}; give it as the approval prints it, on one line, at most {max} "
                         "characters, e.g. {examples}"),
    "approval.empty": ("审图号 {value} 中没有编号；请按批准文件填写编号，例如 {examples}",
                       "the map approval number {value} has no number in it; give the number as the approval "
                       "prints it, e.g. {examples}"),
    "approval.long": ("审图号 {value} 有 {n} 个字符，超过 {max} 个的上限；请只填写编号，例如 {examples}",
                      "the map approval number {value} is {n} characters long, over the limit of {max}; give only "
                      "the number, e.g. {examples}"),
    "approval.needs_boundaries": ("审图号只能与用户提供的边界一起使用（它属于获批的那套边界，内置边界没有审图号）；"
                                  "请同时提供边界文件（命令行 --boundaries PATH，应用中在“自有数据”上传）",
                                  "a map approval number is only accepted with boundaries the user supplies (it "
                                  "belongs to the approved boundaries; the bundled ones have none): give a boundary "
                                  "file too (--boundaries PATH on the command line, \"Your own data\" in the app)"),
    # -- zip archives (ingest.zipguard)
    "zip.entries": ("{what}含有 {n:,} 个条目；最多接受 {max} 个", "the {what} has {n:,} entries; at most {max} are accepted"),
    "zip.unreadable": ("文件不是可读取的 zip 压缩包（{detail}）", "the file is not a readable zip archive ({detail})"),
    "zip.empty": ("{what}是空的", "the {what} archive is empty"),
    "zip.unsafe_path": ("{what}含有不安全的路径 {name}（绝对路径、含“..”或带盘符）；未解压任何内容",
                        "the {what} contains an unsafe path {name} (absolute, with '..' or a drive); "
                        "nothing was extracted"),
    "zip.symlink": ("{what}含有符号链接 {name}；未解压任何内容",
                    "the {what} contains a symbolic link {name}; nothing was extracted"),
    "zip.encrypted": ("{what}中的成员 {name} 已加密（设有密码）；请去掉密码后重新保存",
                      "the {what} member {name} is encrypted (password-protected); save it again without a password"),
    "zip.compression": ("{what}中的成员 {name} 使用了不支持的压缩方法（{method}）；请使用普通的 Deflate 压缩",
                        "the {what} member {name} uses an unsupported compression method ({method}); "
                        "use ordinary Deflate"),
    "zip.unzipped": ("{what}解压后将超过 {max:,} 字节（{mb:.1f} MB）的上限；未解压任何内容",
                     "the {what} would unpack to more than {max:,} bytes ({mb:.1f} MB), the limit; "
                     "nothing was extracted"),
    "zip.bomb": ("{what}中的成员 {name} 会从 {packed:,} 字节膨胀到 {size:,} 字节（超过 {ratio}:1），"
                 "疑似 zip 炸弹，未解压任何内容",
                 "the {what} member {name} would expand {size:,} bytes from {packed:,} (more than {ratio}:1); "
                 "it looks like a zip bomb and nothing was extracted"),
    "zip.member_lies": ("zip 压缩包成员 {name} 解压后的大小超过其目录中的记录，已拒绝",
                        "the zip member {name} unpacks to more than its directory says; refusing it"),
    "zip.member_corrupt": ("zip 压缩包成员 {name} 已损坏（{detail}）", "the zip member {name} is corrupt ({detail})"),
    # -- the judging budget (uploads.judge)
    "budget.time": ("文件未能在 {seconds:g} 秒的处理时限内检查完毕，已拒绝；请简化或拆分文件后再试。",
                    "The file could not be checked within the {seconds:g} s time limit and was refused; "
                    "simplify or split it and try again."),
    "budget.time_small": ("文件未能在 {seconds:g} 秒的处理时限内检查完毕，已拒绝。文件很小，问题不在大小，而在其内容过于复杂"
                          "（例如边界线多次自相交叉）；请修正后再试。",
                          "The file could not be checked within the {seconds:g} s time limit and was refused. It is "
                          "small, so its size is not the cause: what it holds is too intricate to check (e.g. "
                          "outlines that cross themselves many times); fix that and try again."),
    "budget.memory": ("检查文件所需内存超过 {mb:,.0f} MB 的限额，已拒绝；请简化文件后再试。",
                      "Checking the file needed more than the {mb:,.0f} MB memory limit; it was refused. "
                      "Simplify it and try again."),
    "budget.busy": ("服务器正忙于检查其他上传的文件，请稍后再试（重新上传该文件或刷新页面）。",
                    "The server is busy checking other uploads; try again in a moment (upload the file again, or "
                    "reload the page)."),
    "budget.crash": ("检查文件的进程意外终止（{detail}），文件已拒绝。",
                     "The process checking the file stopped unexpectedly ({detail}); the file was refused."),
}

CATALOGUE: dict[str, tuple[str, str]] = {}
for _part in (CORE, DES, GEO):
    _clash = CATALOGUE.keys() & _part.keys()
    if _clash:
        raise RuntimeError(f"message ids defined twice: {sorted(_clash)}")
    CATALOGUE.update(_part)
