"""Messages about a designations file (policy/userdata*.py), in Chinese and English.

Part of the catalogue in `ingest.messages`; see there for the template syntax.
Schema column names (cluster_id, city_zh, adcode …) and accepted values
(pillar, explicit …) are what the user types, so they stay as they are in both
languages.
"""

from __future__ import annotations

_SAVE_AS = ("请在 Excel 中“另存为”，选择“Excel 工作簿(*.xlsx)”或“CSV UTF-8(逗号分隔)(*.csv)”",
            "in Excel use Save As and choose 'Excel Workbook (.xlsx)' or 'CSV UTF-8 (comma delimited)'")
_UNQUOTED = ("是否有未加引号的值中含有逗号或换行？", "a comma or line break in an unquoted value?")

DES = {
    # -- the file as a whole (policy.userdata)
    "des.too_large_mb": ("文件大小为 {size:,} 字节；上限为 {max:,} 字节（{mb:g} MB）",
                         "the file is {size:,} bytes; the limit is {max:,} bytes ({mb:g} MB)"),
    "des.too_large": ("文件大小为 {size:,} 字节；上限为 {max:,} 字节", "the file is {size:,} bytes; the limit is {max:,} bytes"),
    "des.xls": ("不读取旧版 Excel .xls 工作簿；" + _SAVE_AS[0], "old Excel .xls workbooks are not read; " + _SAVE_AS[1]),
    "des.extension": ("不读取扩展名为 {ext} 的文件；可接受的扩展名：{accepted}",
                      "files ending in {ext} are not read; accepted: {accepted}"),
    "des.no_extension": ("不读取没有扩展名的文件；可接受的扩展名：{accepted}",
                         "files without an extension are not read; accepted: {accepted}"),
    "des.text_total": ("文件共含 {n:,} 个文本字符；上限为 {max:,}", "the file holds {n:,} characters of text; the limit is {max:,}"),
    "des.no_rows": ("文件没有数据行", "the file has no data rows"),
    "des.summary": ("已读取 {clusters} 个集群的 {rows} 行（{mode}）；数据现有 {total} 个集群、{designations} 条点名",
                    "{rows} row{rows:?|s} for {clusters} cluster{clusters:?|s} read ({mode}); the data now has "
                    "{total} cluster{total:?|s} and {designations} designation{designations:?|s}"),
    "des.mode.replace": ("替换内置", "replace"),
    "des.mode.beside": ("与内置并列", "beside"),
    # -- cells, header and rows (policy.userdata_read)
    "des.cell_mapping": ("应为单个值，却是一个映射", "expected a single value, got a mapping"),
    "des.cell_list": ("应为单个值，却是一个列表", "expected a single value, got a list"),
    "des.cell_long": ("{n:,} 个字符；此列上限为 {limit:,} 个", "{n:,} characters; the limit for this column is {limit:,}"),
    "des.header_wide": ("表头有 {n:,} 列；最多读取 {max} 列（规定格式共 {schema} 列）",
                        "the header has {n:,} columns; at most {max} are read (the schema has {schema})"),
    "des.no_header": ("第 1 行必须是表头；应包含以下列：{columns}",
                      "row 1 must be the header; expected the columns {columns}"),
    "des.column_twice": ("该列出现了两次（{a} 列和 {b} 列）；请只保留一列",
                         "the column appears twice (columns {a} and {b}); keep one"),
    "des.column_missing": ("表头缺少必需的列 {column}", "required column {column} is missing from the header"),
    "des.city_column_missing": ("表头须有 city_zh 或 adcode 列（或两者都有），用以指明城市",
                                "the header needs city_zh or adcode (or both) to say which city"),
    "des.columns_ignored": ("已忽略不在规定格式中的列：{names}", "columns not in the schema were ignored: {names}"),
    "des.row_wide": ("该行在最后读取的 {column} 列之后还有 {n:,} 个值；" + _UNQUOTED[0],
                     "the row has {n:,} values beyond column {column}, the last one read; " + _UNQUOTED[1]),
    "des.headerless_value": ("没有表头的列中有值：{value}（" + _UNQUOTED[0] + "）",
                             "a value in a column that has no header: {value} (" + _UNQUOTED[1] + ")"),
    "des.rows_count": ("文件有 {n:,} 个数据行；上限为 {max:,}", "the file has {n:,} data rows; the limit is {max:,}"),
    "des.rows_more": ("文件的数据行超过 {max:,} 个；上限为 {max:,}",
                      "the file has more than {max:,} data rows; the limit is {max:,}"),
    "des.csv_is_xlsx": ("这是 Excel .xlsx 工作簿（zip 压缩包），不是 CSV 文本；请将扩展名改为 .xlsx",
                        "this is an Excel .xlsx workbook (a zip archive), not CSV text; give it the .xlsx extension"),
    "des.csv_is_xls": ("这是旧版 Excel .xls 工作簿，不是 CSV 文本；请在 Excel 中“另存为”，"
                       "选择“CSV UTF-8(逗号分隔)(*.csv)”或“Excel 工作簿(*.xlsx)”",
                       "this is an old Excel .xls workbook, not CSV text; in Excel use Save As and choose "
                       "'CSV UTF-8 (comma delimited)' or 'Excel Workbook (.xlsx)'"),
    "des.sep_tab": ("各列以制表符分隔", "columns are separated by tab"),
    "des.sep": ("各列以 {sep} 分隔", "columns are separated by {sep}"),
    "des.csv_error": ("无法按 CSV 读取（第 {line} 行）：{detail}", "cannot be read as CSV (line {line}): {detail}"),
    "des.xlsx_is_xls": ("这是以 .xlsx 命名的旧版 Excel .xls 工作簿；" + _SAVE_AS[0],
                        "this is an old Excel .xls workbook with an .xlsx name; " + _SAVE_AS[1]),
    "des.xlsx_zip": ("{reason}（.xlsx 工作簿是 zip 压缩包；请在 Excel 中另存为“Excel 工作簿(*.xlsx)”或 CSV）",
                     "{reason} (an .xlsx workbook is a zip archive; save it from Excel as 'Excel Workbook (.xlsx)' "
                     "or as CSV)"),
    "des.no_openpyxl": ("读取 .xlsx 需要 openpyxl 软件包，但它未安装；请改用 CSV 或 YAML",
                        "reading .xlsx needs the openpyxl package, which is not installed; use CSV or YAML instead"),
    "des.no_sheet": ("工作簿中没有工作表", "the workbook has no worksheet"),
    "des.first_sheet": ("只读取了第一个工作表 {title}；工作簿共有 {n} 个工作表",
                        "read the first sheet {title} only; the workbook has {n} sheets"),
    "des.xlsx_error": ("无法读取工作簿：{kind}：{detail}", "the workbook cannot be read: {kind}: {detail}"),
    "des.yaml_at": ("不是有效的 YAML（第 {line} 行第 {column} 列）：{detail}",
                    "not valid YAML at line {line}, column {column}: {detail}"),
    "des.yaml": ("不是有效的 YAML：{detail}", "not valid YAML: {detail}"),
    "des.yaml_layout": ("应为行的列表（每行一个映射，包含列 {columns}），或 data/clusters.yaml 的结构（含 clusters: 的映射）",
                        "expected a list of rows (one mapping per row with the columns {columns}) or the layout of "
                        "data/clusters.yaml (a mapping with clusters:)"),
    "des.yaml_rows": ("文件有 {n:,} 行；上限为 {max:,}", "the file has {n:,} rows; the limit is {max:,}"),
    "des.yaml_row_type": ("应为“列: 值”的映射，实际为 {kind}", "expected a mapping of column: value, got {kind}"),
    "des.yaml_key_twice": ("该列给出了两次", "the column is given twice"),
    "des.keys_ignored": ("已忽略不在规定格式中的键：{names}", "keys not in the schema were ignored: {names}"),
    "des.top_keys_ignored": ("已忽略 clusters 以外的顶层键：{names}",
                             "top-level keys other than clusters were ignored: {names}"),
    "des.role_categories_ignored": ("已忽略文件中的 role_categories；使用内置的定位类别",
                                    "role_categories in the file were ignored; the built-in categories apply"),
    "des.clusters_not_list": ("clusters: 必须是集群的列表", "clusters: must be a list of clusters"),
    "des.cluster_type": ("应为集群映射（id、tier、name_zh 等），实际为 {kind}",
                         "expected a cluster mapping (id, tier, name_zh, ...), got {kind}"),
    "des.designations_not_list": ("designations: 必须是列表", "designations: must be a list"),
    "des.designation_type": ("应为点名映射（basis、places、role、quote 等），实际为 {kind}",
                             "expected a designation mapping (basis, places, role, quote, ...), got {kind}"),
    "des.no_places": ("该点名未列出任何城市；请在 places 中列出城市",
                      "the designation names no city; list the cities in places"),
    "des.yaml_expands": ("文件展开后超过 {max:,} 个（点名，城市）行；上限为 {max:,}",
                         "the file expands to more than {max:,} (designation, city) rows; the limit is {max:,}"),
    "des.layout_keys_ignored": ("已忽略该结构中未定义的键：{names}", "keys not in the layout were ignored: {names}"),
    "des.unknown_region": ("未知区域 {region}；可接受：{accepted}", "unknown region {region}; accepted: {accepted}"),
    "des.region_not_region_basis": ("region 只能与 basis: region 一起使用；请在 places 中列出城市",
                                    "region is only used with basis: region; list the cities in places"),
    "des.places_required": ("必填：该点名的城市（places: [广州, 深圳]），或 region: ID 加 basis: region",
                            "required: the cities of the designation (places: [广州, 深圳]), or region: ID with "
                            "basis: region"),
    # -- checks of each row and of rows together (policy.userdata_check)
    "des.city_is_region": ("{text} 是区域（{members}），不是城市：请为每个成员城市各写一行，basis 填 region",
                           "{text} is a region ({members}), not a city: give one row per member city with basis region"),
    "des.city_unknown_close": ("未知城市 {text}；是否指 {hint}？", "unknown city {text}; did you mean {hint}?"),
    "des.city_unknown": ("未知城市 {text}；应为广东省 {n} 个城市之一，可写作 广州、广州市、Guangzhou 或 440100",
                         "unknown city {text}; expected one of the {n} cities of Guangdong, written like 广州, 广州市, "
                         "Guangzhou or 440100"),
    "des.adcode_not_number": ("行政区划代码 {code} 不是 440100 这样的数字", "adcode {code} is not a number such as 440100"),
    "des.adcode_unknown_close": ("行政区划代码 {code} 不是广东省的城市；是否指 {close}？",
                                 "adcode {code} is not a city of Guangdong; did you mean {close}?"),
    "des.adcode_unknown": ("行政区划代码 {code} 不是广东省的城市；应为 {n} 个城市之一的代码，例如广州为 440100",
                           "adcode {code} is not a city of Guangdong; expected the code of one of the {n} cities, "
                           "e.g. 440100 for 广州"),
    "des.city_disagree": ("行政区划代码 {code} 是{code_city}，而 city_zh {text} 是{name_city}（{name_code}）；两者必须一致",
                          "adcode {code} is {code_city} but city_zh {text} is {name_city} ({name_code}); "
                          "they must agree"),
    "des.city_required": ("必填：城市，填 city_zh（广州、广州市或 Guangzhou）或 adcode",
                          "required: the city, as city_zh (广州, 广州市 or Guangzhou) or adcode"),
    "des.required": ("必填：{what}", "required: {what}"),
    "des.what.cluster_id": ("集群的 id，例如 hydrogen_energy", "the cluster's id, e.g. hydrogen_energy"),
    "des.what.cluster_zh": ("集群的中文名称", "the cluster's Chinese name"),
    "des.what.tier": ("类别，{tiers}", "the tier, {tiers}"),
    "des.what.role": ("定位类别，为以下之一：{roles}", "the role category, one of {roles}"),
    "des.what.basis": ("依据，{bases}", "the basis, {bases}"),
    "des.what.quote": ("作出该点名的原文条款", "the clause of the source document that makes this designation"),
    "des.cluster_id_form": ("cluster_id {cid} 必须由 1–64 个 ASCII 小写字母、数字、_ 或 - 组成，并以字母或数字开头"
                            "（例如 hydrogen_energy）",
                            "cluster_id {cid} must be 1-64 ASCII lowercase letters, digits, _ or -, starting with a "
                            "letter or digit (e.g. hydrogen_energy)"),
    "des.cluster_id_reserved": ("cluster_id {cid} 是保留字（{reserved} 用于选择一组集群）；请另选一个 id",
                                "cluster_id {cid} is reserved ({reserved} select groups of clusters); "
                                "choose another id"),
    "des.tier_bad": ("不接受 tier {value}；请使用 {tiers}", "tier {value} is not accepted; use {tiers}"),
    "des.role_bad": ("不接受 role {value}；请使用以下之一：{roles}", "role {value} is not accepted; use one of {roles}"),
    "des.basis_bad": ("不接受 basis {value}；请使用 {bases}（explicit：条款明确点名该城市；region：条款点名该城市所属的区域）",
                      "basis {value} is not accepted; use {bases} (explicit: the clause names the city; "
                      "region: it names a region the city belongs to)"),
    "des.clusters_many": ("文件有 {n:,} 个不同的 cluster_id；上限为 {max}（政策文件共 20 个）",
                          "the file has {n:,} distinct cluster_ids; the limit is {max} (the document has 20)"),
    "des.mismatch": ("cluster_id {cid} 在{where}中{verb} {ref}，而不是 {value}；{rule}",
                     "cluster_id {cid} {verb} {ref} in {where}, not {value}; {rule}"),
    "des.verb.cluster_zh": ("名称为", "is named"),
    "des.verb.tier": ("类别为", "has tier"),
    "des.verb.cluster_en": ("英文名称为", "is named in English"),
    "des.rule.cluster_zh": ("同一 cluster_id 只能有一个名称", "one cluster_id has one name"),
    "des.rule.tier": ("同一集群只能有一个类别", "one cluster has one tier"),
    "des.rule.cluster_en": ("同一 cluster_id 只能有一个英文名称", "one cluster_id has one English name"),
    "des.rule.builtin": ("与内置数据并列添加的行必须与内置数据一致", "rows added beside the built-in data must match it"),
    "des.where.builtin": ("内置数据", "the built-in data"),
    "des.where.rows": ("{label}及其他 {n} 行", "{label} and {n} other row{n:?|s}"),
    "des.duplicate": ("重复：与{label}的点名和城市相同；请只保留其中一行",
                      "duplicate: the same designation and city as {label}; keep one of the two rows"),
    "des.skipped": ("已跳过内置数据中已有的 {n} 行", "{n} row{n:?|s} already in the built-in data {n:?was|were} skipped"),
}
