"""Messages about a boundary file (geo/upload_*.py, geo/userboundaries.py), in Chinese and English.

Part of the catalogue in `ingest.messages`; see there for the template syntax.
CRS codes, file extensions, column names and feature labels are values and
stay as they are in both languages.
"""

from __future__ import annotations

_SIMPLIFY = ("请简化边界（例如在 QGIS 中使用“矢量 ▸ 几何图形工具 ▸ 简化”）后重新上传",
             "simplify the boundaries (e.g. QGIS: Vector ▸ Geometry ▸ Simplify) and upload again")
_CRS_EXAMPLE = ("，或将数据重投影到 EPSG:4326 并删除该成员", ", or reproject the data to EPSG:4326 and drop the member")

GEO = {
    # -- the file as a whole (geo.userboundaries)
    "bnd.kind.geojson": ("GeoJSON", "GeoJSON"),
    "bnd.kind.gpkg": ("GeoPackage", "GeoPackage"),
    "bnd.kind.zip": ("Shapefile 压缩包", "zipped Shapefile"),
    "bnd.accepted": ("{ext}（{kind}）", "{ext} ({kind})"),
    "bnd.too_complex": ("文件过于复杂，无法处理；请简化后再试", "the file is too complex to process; simplify it and try again"),
    "bnd.failed": ("无法处理该文件（{kind}：{detail}）", "the file could not be processed ({kind}: {detail})"),
    "bnd.not_bytes": ("应传入文件内容的字节，实际为 {kind}", "expected the file's content as bytes, got {kind}"),
    "bnd.extension": ("不支持的文件类型：{name} 的扩展名为 {ext}；可接受：{accepted}。",
                      "unsupported file type: {name} has {ext}; accepted are {accepted}."),
    "bnd.no_extension": ("不支持的文件类型：{name} 没有扩展名；可接受：{accepted}。",
                         "unsupported file type: {name} has no extension; accepted are {accepted}."),
    "bnd.shapefile_part": ("不支持的文件类型：{name} 的扩展名为 {ext}；可接受：{accepted}。"
                           "Shapefile 由多个文件组成：请将 .shp、.shx、.dbf 和 .prj 放进同一个 .zip 后上传。",
                           "unsupported file type: {name} has {ext}; accepted are {accepted}. A Shapefile is several "
                           "files: put the .shp, .shx, .dbf and .prj into one .zip and upload that."),
    "bnd.too_large": ("文件过大：{size:,} 字节（{mb:.1f} MB）；上限为 {max:,} 字节（{max_mb:.1f} MB）",
                      "the file is too large: {size:,} bytes ({mb:.1f} MB); the limit is {max:,} bytes ({max_mb:.1f} MB)"),
    "bnd.not_gpkg": ("该文件不是 GeoPackage（其开头不是 SQLite 数据库的格式）",
                     "the file is not a GeoPackage (it does not start like an SQLite database)"),
    # -- reading (geo.upload_read)
    "bnd.not_utf8": ("文件不是 UTF-8 文本，因此不是 GeoJSON（{reason}）", "the file is not UTF-8 text, so it is not GeoJSON ({reason})"),
    "bnd.bad_json": ("文件不是有效的 JSON（第 {line} 行第 {column} 列：{detail}）",
                     "the file is not valid JSON (line {line}, column {column}: {detail})"),
    "bnd.json_deep": ("文件不是可用的 GeoJSON（嵌套层级过深）", "the file is not usable GeoJSON (nested too deeply)"),
    "bnd.not_geojson": ("文件是 JSON，但不是 GeoJSON（应为 FeatureCollection）",
                        "the file is JSON but not GeoJSON (expected a FeatureCollection)"),
    "bnd.crs_member_type": ("GeoJSON 的 'crs' 成员不是对象；请给出命名的坐标参考系，例如 {example}" + _CRS_EXAMPLE[0],
                            "the GeoJSON 'crs' member is not an object; give a named CRS such as {example}"
                            + _CRS_EXAMPLE[1]),
    "bnd.crs_member_link": ("GeoJSON 的 'crs' 成员以链接或 URL 引用坐标参考系，本应用不会访问该地址；请改用命名的坐标参考系，"
                            "例如 {example}" + _CRS_EXAMPLE[0],
                            "the GeoJSON 'crs' member refers to a CRS by link or URL, which is not followed; replace "
                            "it with a named CRS such as {example}" + _CRS_EXAMPLE[1]),
    "bnd.crs_member_name": ("GeoJSON 的 'crs' 成员给出的名称 {name} 不是“机构:代码”形式（如 EPSG:4547、IGNF:LAMB93 或 "
                            "urn:ogc:def:crs:EPSG::4547）；请给出这样的名称" + _CRS_EXAMPLE[0],
                            "the GeoJSON 'crs' member names {name}, which is not an authority:code name such as "
                            "EPSG:4547, IGNF:LAMB93 or urn:ogc:def:crs:EPSG::4547; give such a name"
                            + _CRS_EXAMPLE[1]),
    "bnd.no_suffix": ("（无扩展名）", "(none)"),
    "bnd.zip_no_shp": ("zip 压缩包中没有 .shp 文件（找到：{found}）；其中必须有一个 Shapefile",
                       "the zip contains no .shp file (found: {found}); it must hold one Shapefile"),
    "bnd.zip_many_shp": ("zip 压缩包中有 {n} 个 .shp 文件（{names}）；其中只能有一个 Shapefile",
                         "the zip contains {n} .shp files ({names}); it must hold exactly one Shapefile"),
    "bnd.zip_twice": ("zip 压缩包中 {name} 出现了两次", "the zip contains {name} twice"),
    "bnd.shp_lacks": ("Shapefile {name} 缺少 {missing} 文件；请将其全部文件（.shp、.shx、.dbf、.prj）一起压缩",
                      "the Shapefile {name} lacks its {missing} file; zip all its files (.shp, .shx, .dbf, .prj) together"),
    "bnd.outside": ("拒绝将 {name} 写到工作目录之外", "refusing to write {name} outside the working folder"),
    "bnd.no_cpg": ("该 Shapefile 没有说明文本编码的 .cpg 文件；其属性已按 {encoding} 读取",
                   "the Shapefile has no .cpg file naming its text encoding; its attributes were read as {encoding}"),
    "bnd.prj_unreadable": ("无法将 Shapefile 的 .prj 文件识别为坐标参考系（其开头为 {start}）；请在 GIS 软件中重新导出图层，"
                           "使其写出有效的 .prj（WKT），或将数据重投影到 EPSG:4326",
                           "the Shapefile's .prj file could not be understood as a coordinate reference system (it "
                           "starts with {start}); export the layer again from your GIS so that it writes a valid .prj "
                           "(WKT), or reproject the data to EPSG:4326"),
    "bnd.prj_empty": ("无法将 Shapefile 的 .prj 文件识别为坐标参考系（该文件是空的）；请在 GIS 软件中重新导出图层，"
                      "使其写出有效的 .prj（WKT），或将数据重投影到 EPSG:4326",
                      "the Shapefile's .prj file could not be understood as a coordinate reference system (it is "
                      "empty); export the layer again from your GIS so that it writes a valid .prj (WKT), or "
                      "reproject the data to EPSG:4326"),
    "bnd.gpkg_open": ("无法将该 GeoPackage 作为 SQLite 数据库打开（{detail}）",
                      "the GeoPackage cannot be opened as an SQLite database ({detail})"),
    "bnd.gpkg_objects": ("该 GeoPackage 定义了 {n:,} 个表、视图和索引；边界文件只需少数几个（最多读取 {max} 个图层）",
                         "the GeoPackage defines {n:,} tables, views and indexes; a boundary file needs a handful "
                         "(at most {max} layers are read)"),
    "bnd.gpkg_slow": ("未能在合理时间内读取该 GeoPackage 的目录，已拒绝",
                      "the GeoPackage's catalogue could not be read in reasonable time; it was refused"),
    "bnd.gpkg_bad": ("该文件不是可用的 GeoPackage（{detail}）", "the file is not a usable GeoPackage ({detail})"),
    "bnd.gpkg_views": ("该 GeoPackage 的要素图层（{names}）是视图（存储的查询），不予读取；请将边界保存为要素表",
                       "the GeoPackage's feature layers ({names}) are views (stored queries), which are not read; "
                       "save the boundaries as a feature table"),
    "bnd.gpkg_no_table": ("该 GeoPackage 中没有要素表", "the GeoPackage contains no feature table"),
    "bnd.layers": ("该 {kind} 有 {n:,} 个图层；最多接受 {max} 个", "the {kind} has {n:,} layers; at most {max} are accepted"),
    "bnd.unreadable": ("无法按 {kind} 读取该文件，文件可能已损坏（{detail}）",
                       "the file could not be read as {kind}; it may be damaged ({detail})"),
    "bnd.wrong_driver": ("该文件不是 {kind}（被识别为 {driver}）", "the file is not {kind} (it was recognised as {driver})"),
    "bnd.features": ("文件有 {n:,} 个要素；最多接受 {max:,} 个", "the file has {n:,} features; at most {max:,} are accepted"),
    "bnd.features_more": ("文件的要素超过上限 {max:,} 个", "the file has more than {max:,} features, the limit"),
    "bnd.no_geometry_column": ("文件没有几何列", "the file has no geometry column"),
    "bnd.no_features": ("文件中没有要素", "the file has no features"),
    "bnd.no_layers": ("该 {kind} 中没有图层", "the {kind} contains no layers"),
    "bnd.which_layer": ("该 {kind} 有 {n} 个图层（{names}），无法确定哪一个是边界；请只保留城市或区县的面图层",
                        "the {kind} has {n} layers ({names}) and it is not clear which holds the boundaries; keep "
                        "only the city or county polygon layer"),
    # -- matching features to cities (geo.upload_match)
    "bnd.and_more": ("另有 {n} 个", "and {n} more"),
    "bnd.no_key_column": ("没有能识别城市的列：应为行政区划代码（如 440100，或 440106 这样的区县代码）或城市名称"
                          "（广州、广州市或 Guangzhou）；文件中的列为：{columns}",
                          "no column identifies the cities: expected adcodes (e.g. 440100, or county codes such as "
                          "440106) or city names (广州, 广州市 or Guangzhou); the file's columns are: {columns}"),
    "bnd.matched_code": ("已按行政区划代码（列 {column}）将要素与城市匹配", "matched features to cities by adcode (column {column})"),
    "bnd.matched_name": ("已按名称（列 {column}）将要素与城市匹配", "matched features to cities by name (column {column})"),
    "bnd.unmatched": ("已忽略 {n} 个与广东省任何城市都不匹配的要素：{features}",
                      "ignored {n} feature(s) that match no Guangdong city: {features}"),
    "bnd.city_twice": ("{city} 出现在 {n} 个要素中：{features}；每个城市只能保留一个要素",
                       "{city} appears in {n} features: {features}; keep one feature per city"),
    "bnd.city_and_counties": ("{city} 既以整市出现，又以区县出现：{features}；请只保留整市或其区县之一",
                              "{city} appears both as a whole city and as counties: {features}; keep either the city "
                              "or its counties"),
    "bnd.county_parts": ("{n} 个区县代码出现在多个要素中（{codes}）；其各部分已合并",
                         "{n} county code(s) occur in several features ({codes}); their parts were merged"),
    "bnd.cities_missing": ("文件中缺少 {total} 个城市中的 {n} 个：{cities}",
                           "{n} of the {total} cities are missing from the file: {cities}"),
    "bnd.no_area": ("{city} 合并其要素后没有剩余面积", "{city} has no area left after merging its features"),
    "bnd.dissolved": ("已将 {n} 个区县级要素合并为 {total} 个城市", "dissolved {n} county-level features into {total} cities"),
    "bnd.bidi_attribute": ("要素 {feature}：列 {column} 的值{problem}",
                           "feature {feature}: the value in column {column} {problem}"),
    "bnd.bidi_column": ("列名 {column} {problem}", "the column name {column} {problem}"),
    # -- geometry and CRS (geo.upload_geometry, geo.upload_common)
    "bnd.crs_unnamed": ("未命名的坐标参考系", "an unnamed CRS"),
    "bnd.span": ("x {x0} 至 {x1}，y {y0} 至 {y1}", "x {x0} to {x1}, y {y0} to {y1}"),
    "bnd.where": ("经度 {x0:.2f} 至 {x1:.2f}、纬度 {y0:.2f} 至 {y1:.2f}", "lon {x0:.2f} to {x1:.2f}, lat {y0:.2f} to {y1:.2f}"),
    "bnd.swap_hint": ("；x 和 y 似乎颠倒了（纬度在前）", "; the x and y values look swapped (latitude first)"),
    "bnd.no_geometry": ("文件中没有任何要素带有几何图形", "none of the file's features has a geometry"),
    "bnd.dropped_empty": ("已删除 {n} 个没有可用几何图形的要素：{features}",
                          "dropped {n} feature(s) without a usable geometry: {features}"),
    "bnd.type_count": ("{n} 个 {type}", "{n} {type}"),
    "bnd.not_polygons": ("边界必须是面（多边形），但文件中有 {summary} 要素（例如 {features}）",
                         "boundaries must be polygons, but the file has {summary} feature(s) (e.g. {features})"),
    "bnd.not_in_guangdong": ("转换为经纬度后，数据位于{where}，不在广东省（约经度 109–118、纬度 20–26）；"
                             "文件的坐标参考系（{crs}）可能有误{hint}",
                             "after conversion to longitude/latitude the data lies at {where}, not in Guangdong "
                             "(about lon 109–118, lat 20–26); the file's CRS ({crs}) is probably wrong{hint}"),
    "bnd.dropped_far": ("已删除 {n} 个远在广东省以外的要素：{features}",
                        "dropped {n} feature(s) far outside Guangdong: {features}"),
    "bnd.repaired": ("已修复 {n} 个无效几何图形（使其有效，只保留面状部分；面积变化不超过 {tolerance:.0%}）：{features}",
                     "repaired {n} invalid geometr{n:?y|ies} (made valid, keeping only polygonal parts; area changed "
                     "by at most {tolerance:.0%}): {features}"),
    "bnd.dropped_collapsed": ("已删除 {n} 个修复前后均无面积的要素：{features}",
                              "dropped {n} feature(s) whose geometry had no area before or after repair: {features}"),
    "bnd.nothing_left": ("文件中没有剩下可用的面", "no usable polygon is left in the file"),
    "bnd.vertices_feature": ("{n} 个要素的顶点超过 {max:,} 个（例如 {features}，有 {count:,} 个）；" + _SIMPLIFY[0],
                             "{n} feature(s) have more than {max:,} vertices (e.g. {features} with {count:,}); "
                             + _SIMPLIFY[1]),
    "bnd.vertices_total": ("文件共有 {n:,} 个顶点；最多接受 {max:,} 个；" + _SIMPLIFY[0],
                           "the file has {n:,} vertices in all; at most {max:,} are accepted; " + _SIMPLIFY[1]),
    "bnd.not_finite": ("{n} 个要素的坐标不是有限数值（NaN 或 Infinity）：{features}；未作任何修复，请修正数据后重新上传",
                       "{n} feature(s) have coordinates that are not finite numbers (NaN or Infinity): {features}; "
                       "nothing was repaired, fix the data and upload again"),
    "bnd.repair_city": ("{city}，要素 {feature}：{before:.4g} → {after:.4g} 平方度（{change:+.1%}）",
                        "{city}, feature {feature}: {before:.4g} → {after:.4g} deg² ({change:+.1%})"),
    "bnd.repair_feature": ("要素 {feature}：{before:.4g} → {after:.4g} 平方度（{change:+.1%}）",
                           "feature {feature}: {before:.4g} → {after:.4g} deg² ({change:+.1%})"),
    "bnd.repair_refused": ("{n} 个无效几何图形只有使面积变化超过 {tolerance:.0%} 才能修复：{parts}；请在 GIS 软件中修正"
                           "几何图形（例如在 QGIS 中使用“矢量 ▸ 几何图形工具 ▸ 检查有效性”）后重新上传",
                           "{n} invalid geometr{n:?y|ies} could only be repaired by changing the area by more than "
                           "{tolerance:.0%}: {parts}; fix the geometry in your GIS (e.g. QGIS: Vector ▸ Geometry ▸ "
                           "Check Validity) and upload again"),
    "bnd.crossings": ("无效几何图形的边界线相互交叉超过 {max:,} 处（例如 {features}，至少 {count:,} 处），这样缠绕的边界不予修复；"
                      "请在 GIS 软件中修正几何图形（例如在 QGIS 中使用“矢量 ▸ 几何图形工具 ▸ 检查有效性”）后重新上传",
                      "the invalid outlines cross themselves more than {max:,} times in all (e.g. {features}, with at "
                      "least {count:,}); outlines this tangled are not repaired: fix the geometry in your GIS (e.g. "
                      "QGIS: Vector ▸ Geometry ▸ Check Validity) and upload again"),
    "bnd.zero_city": ("{city}，要素 {feature}：按所画的形状面积为 0，修复后将为 {after:.4g} 平方度",
                      "{city}, feature {feature}: 0 deg² as drawn, {after:.4g} deg² if repaired"),
    "bnd.zero_feature": ("要素 {feature}：按所画的形状面积为 0，修复后将为 {after:.4g} 平方度",
                         "feature {feature}: 0 deg² as drawn, {after:.4g} deg² if repaired"),
    "bnd.zero_area": ("{n} 个要素的边界线按所画的形状不围成任何面积（线条自相交叉，各部分相互抵消），修复只能猜测其形状，"
                      "因此未予修复：{parts}；请在 GIS 软件中重画这条边界，使其不自相交叉，然后重新上传",
                      "{n} feature{n:?|s} ha{n:?s|ve} an outline that encloses no area as drawn (it crosses itself so "
                      "that its parts cancel out), so a repair could only guess the shape and it was not repaired: "
                      "{parts}; redraw the outline in your GIS so that it does not cross itself, and upload again"),
    "bnd.simplified": ("已按内置边界的精度（约 {tolerance:.0f} 米）为地图简化边界：{before:,} → {after:,} 个顶点",
                       "simplified for the map to the detail of the built-in boundaries (about {tolerance:.0f} m): "
                       "{before:,} → {after:,} vertices"),
    "bnd.map_vertices": ("即使按内置边界的精度（约 {tolerance:.0f} 米）简化，边界仍有 {n:,} 个顶点；地图最多绘制 {max:,} 个；"
                         + _SIMPLIFY[0],
                         "even simplified to the detail of the built-in boundaries (about {tolerance:.0f} m), the "
                         "boundaries keep {n:,} vertices; the map draws at most {max:,}; " + _SIMPLIFY[1]),
    "bnd.geos_failed": ("几何运算库无法处理文件中的图形（{detail}）；请在 GIS 软件中检查并修正几何图形后重新上传",
                        "the geometry library could not process the file's shapes ({detail}); check and fix the "
                        "geometry in your GIS and upload again"),
    "bnd.some_not_finite": ("部分坐标不是有限数值", "some coordinates are not finite numbers"),
    "bnd.swapped": ("坐标（{span}）看起来是广东省一带的纬度和经度，但顺序颠倒；请以经度为 x、纬度为 y 重新导出",
                    "the coordinates ({span}) look like latitude and longitude around Guangdong in the wrong order; "
                    "export them with longitude as x and latitude as y"),
    "bnd.assumed_4326": ("文件没有坐标参考系；其坐标看起来是广东省一带的经纬度，因此按 EPSG:4326（WGS 84）处理",
                         "the file has no CRS; its coordinates look like longitude/latitude around Guangdong, so "
                         "EPSG:4326 (WGS 84) was assumed"),
    "bnd.guess_projected": ("看起来是投影坐标（米），例如 EPSG:4547 或 EPSG:3857",
                            "they look like projected coordinates (metres), e.g. EPSG:4547 or EPSG:3857"),
    "bnd.guess_lonlat": ("不是广东省一带的经纬度", "they are not longitude/latitude around Guangdong"),
    "bnd.no_crs": ("文件没有坐标参考系，其坐标（{span}）无法定位：{guess}。请补上数据所属的 .prj 文件（Shapefile 须与其他文件"
                   "一起压缩），或在 GIS 软件中设置图层的坐标参考系（例如在 QGIS 中使用“图层 ▸ 设置图层坐标参考系”）后重新导出",
                   "the file has no CRS, and its coordinates ({span}) cannot be placed: {guess}. Add the .prj file "
                   "that belongs to the data (for a Shapefile, zip it with the other files), or set the layer's CRS "
                   "in your GIS (e.g. QGIS: Layer ▸ Set CRS) and export again"),
    "bnd.claim_geojson": ("{crs}（没有 'crs' 成员的 GeoJSON 按定义即为经纬度）",
                          "{crs} (GeoJSON without a 'crs' member is longitude/latitude by definition)"),
    "bnd.claims_degrees": ("坐标（{span}）看起来是投影坐标（米），但文件声明的是 {claim}，即以度为单位的经纬度。请为文件设置"
                           "其真实的坐标参考系（例如 EPSG:4547 或 EPSG:3857），或在导出前将数据重投影到 EPSG:4326",
                           "the coordinates ({span}) look projected (metres), but the file claims {claim}, which is "
                           "longitude/latitude in degrees. Give the file its real CRS (e.g. EPSG:4547 or EPSG:3857), "
                           "or reproject the data to EPSG:4326 before exporting"),
    "bnd.reproject_failed": ("无法将数据从 {crs} 重投影（{detail}）", "the data could not be reprojected from {crs} ({detail})"),
    "bnd.hint_lonlat": ("；这些坐标看起来是经纬度，因此坐标参考系可能有误",
                        "; its coordinates look like longitude/latitude, so the CRS is probably wrong"),
    "bnd.outside_crs": ("部分坐标（{span}）超出文件坐标参考系 {crs} 的有效范围，无法重投影{hint}",
                        "some coordinates ({span}) lie outside the valid area of the file's CRS {crs} and cannot be "
                        "reprojected{hint}"),
    "bnd.lonlat_claims_projected": ("坐标（{span}）看起来是广东省一带的经纬度，但文件声明的是投影坐标参考系 {crs}；"
                                    "按此重投影后将位于{where}。请将文件的坐标参考系设为 EPSG:4326",
                                    "the coordinates ({span}) look like longitude/latitude around Guangdong, but the "
                                    "file claims the projected CRS {crs}; reprojected, they would lie at {where}. Set "
                                    "the file's CRS to EPSG:4326"),
    "bnd.reprojected": ("已从 {crs} 重投影到 EPSG:4326（WGS 84）", "reprojected from {crs} to EPSG:4326 (WGS 84)"),
}
