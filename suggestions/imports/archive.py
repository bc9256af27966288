"""Looking inside the .xlsx package before any XML of it is parsed.

An .xlsx file is a zip archive of XML parts. Before openpyxl reads a single part, ``inspect_package`` reads only
the archive's directory and refuses:

- a file that is not a workbook at all (a Word document or any zip renamed .xlsx);
- a zip bomb: the parts together would unpack to more than ``MAX_UNPACKED_BYTES`` (the sizes the directory
  declares bound the work, since Python's zipfile never unpacks a part past its declared size);
- a workbook with macros (``vbaProject.bin``, a macro-enabled content type) or links to other files
  (``xl/externalLinks/``): the list the congress office hands over is plain data.

Formula cells are refused later, while the rows are read (``plan``), with the row and column named.
"""

import zipfile

from .problems import ImportFileError

MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # 5,000 rows with 200 characters of text unpack to 12.5 MB
MAX_PARTS = 2_000


def inspect_package(file):
    """Raises ImportFileError when ``file`` (a binary file object at any position) is not a plain workbook
    of a sensible unpacked size; leaves the file at its start."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as package:
            parts = package.infolist()
            content_types = _content_types(package)
    except zipfile.BadZipFile as exc:
        raise ImportFileError("文件已损坏，无法打开（不是完整的 .xlsx 文件）。") from exc
    finally:
        file.seek(0)
    names = [part.filename.lower() for part in parts]
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"文件解压后超过{MAX_UNPACKED_BYTES // (1024 * 1024)} MB，不像是一份建议清单"
            "（可能是被压缩炸弹或大量多余内容填充的文件），请只保留建议清单后重新保存再导入。"
        )
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        raise ImportFileError(
            "无法读取该文件：它不是有效的Excel（.xlsx）工作簿（可能是改了扩展名的其他文件）。"
        )
    if any(n.endswith("vbaproject.bin") for n in names) or b"macroenabled" in content_types.lower():
        raise ImportFileError(
            "工作簿含有宏（VBA），为安全起见不能导入：请在Excel或WPS中「另存为」不含宏的 .xlsx 工作簿后再导入。"
        )
    if any(n.startswith("xl/externallinks/") for n in names):
        raise ImportFileError(
            "工作簿含有指向其他文件的外部链接，不能导入：请在Excel中「数据—编辑链接—断开链接」，"
            "或复制后「选择性粘贴—数值」，保存后再导入。"
        )


def _content_types(package):
    """The package's [Content_Types].xml (small: one line per kind of part), or b"" without one."""
    try:
        info = package.getinfo("[Content_Types].xml")
    except KeyError:
        return b""
    if info.file_size > 1024 * 1024:
        raise ImportFileError("无法读取该文件：它不是有效的Excel（.xlsx）工作簿。")
    return package.read(info)
