"""Every user-facing label in Chinese and English."""

from __future__ import annotations

from policy.model import Policy

LABELS = {
    "app_title": ("广东省战略性产业集群地图", "Guangdong strategic industrial clusters"),
    "map_loading": ("正在加载地图…", "Loading the map…"),
    # A subtitle names the documents of the layers drawn (their `cite` in the data files).
    "based_on": ("依据{cites}", "Based on {cites}"),
    "cites_sep": ("、", " and "),
    # A city hosts a cluster: the document's own word, 布局 (“以广州、深圳……为重点的汽车产业区域布局”).
    "coverage_layer": ("布局集群数（按城市）", "Clusters hosted per city"),
    "zoning_layer": ("一核一带一区", "Core, belt and area zoning (一核一带一区)"),
    "context_layer": ("周边地区", "Surroundings"),
    "labels_layer": ("城市名称", "City names"),
    "pillar": ("战略性支柱产业集群", "Pillar clusters"),
    "emerging": ("战略性新兴产业集群", "Emerging clusters"),
    "pillar_short": ("支柱", "pillar"),
    "emerging_short": ("新兴", "emerging"),
    "explicit": ("明确点名", "named explicitly"),
    "region": ("区域性提及", "region-level"),
    "basis_explicit": ("仅明确点名", "named cities only"),
    "basis_all": ("明确点名＋区域性提及", "named + region-level"),
    "tier_all": ("全部集群", "all clusters"),
    "tier_pillar": ("支柱产业集群", "pillar clusters"),
    "tier_emerging": ("新兴产业集群", "emerging clusters"),
    "cluster": ("产业集群", "Cluster"),
    "city": ("城市", "City"),
    "zone": ("区域", "Zone"),
    "role": ("定位", "Role"),
    "basis": ("依据", "Basis"),
    "place": ("原文地点", "Place as written"),
    "quote": ("原文", "Clause"),
    "tier": ("类别", "Tier"),
    "clusters_n": ("集群数", "Clusters"),
    "designations_n": ("点名次数", "Designations"),
    "no_clusters": ("无", "none"),
    "basemap": ("底图", "Basemap"),
    "legend": ("图例", "Legend"),
    # A phone's crowded map: each city's glyphs folded into a badge with their number.
    "badge_hint": ("数字＝该市显示的集群数，点按展开", "Number: clusters shown in the city; tap to open"),
    "badge_label": ("{n}个集群，点按展开或收起", "{n} clusters: tap to open or close"),
    "none_here": ("所选集群均未指定该市", "No selected cluster designates this city"),
    "legend_coverage": ("布局集群数（个）", "Clusters hosted per city"),
    "legend_roles": ("集群定位", "Role in cluster"),
    "legend_region_note": (
        "浅色虚线：区域性提及（如珠三角、粤东粤西粤北），非明确点名",
        "Pale, dashed: region-level mention (e.g. PRD), not a named city",
    ),
    # --- what the scene says on every map (views/scene.py); {blanks} are filled in there ---
    "n_cities": ("{n} 市", "{n} {cities}"),
    "region_only_n": ("另 {n} 市仅区域性提及", "+{n} only through a region term"),
    "empty_explicit": ("{name}：文件未明确点名城市，仅提及区域（{terms}）。",
                       "{name}: the document names no city, only regions ({terms})."),
    # Said only where a reader can act on it (the app, the interactive map), never in print.
    "empty_hint": ("选择“明确点名＋区域性提及”即可显示。", "Choose “named + region-level” to show them."),
    "empty_none": ("{name}：文件未为该集群指定任何城市或区域。",
                   "{name}: the document designates no city or region for this cluster."),
    "empty_short": ("未点名城市", "no city named"),
    "no_glyph": ("无符号的城市：所选集群均未指定。", "Cities without a glyph: no selected cluster designates them."),
    "tier_help": ("筛选地图上的集群符号与图例、布局集群数分级，以及各面板的统计。",
                  "Filters the cluster glyphs and legend on the map, the clusters-hosted-per-city shading and every count in the panels."),
    "dpi_vector": ("SVG 与 PDF 为矢量图，无需选择分辨率（仅 PNG 需要）。",
                   "SVG and PDF are vector files: resolution applies to PNG only."),
    "matrix_shown": ("已在地图上显示：{names}。", "Now shown on the map: {names}."),
    "matrix_hidden": ("已从地图上移除：{names}。", "Taken off the map: {names}."),
    "matrix_city": ("已选中城市：{names}（地图与城市详情）。", "City in focus on the map and in the detail: {names}."),
    "go_to_map": ("查看地图", "Go to the map"),
    "place_unknown_head": ("输入的地点无法识别，已保留原选择。", "The place typed was not recognised; the choice is unchanged."),
    "place_unknown": ("“{value}”不是城市或区域。可输入：城市名（广州、广州市、guangzhou）、行政区划代码（440100）、"
                      "区域名（珠三角核心区）或简称（一核、一带、一区）。",
                      "'{value}' is not a city or zone. Accepted: a city's name (Guangzhou, 广州), its "
                      "administrative code (440100), a zone's name (Pearl River Delta core) or short name "
                      "(core (一核), belt (一带), north (一区))."),
    "tier_hidden": ("类别为“{tier}”：另一类别中已勾选的集群不显示。",
                    "Tier: {tier}; ticked clusters of the other tier are not shown."),
    "tier_off": ("类别筛选中，该集群不显示（类别选“全部集群”即可）", "Not shown under the chosen tier (choose “all clusters”)"),
    "tier_hidden_hint": ("类别选“全部集群”即可显示。", "Choose “all clusters” under Tier to show them."),
    "coverage_hidden": ("显示产业集群时，布局集群数分级图暂不显示。",
                        "The clusters-hosted-per-city shading is hidden while clusters are shown."),
    "clusters_title": ("产业集群（颜色与编号）", "Clusters (colour and number)"),
    "clusters_pillar": ("支柱产业集群", "Pillar clusters"),
    "clusters_emerging": ("新兴产业集群", "Emerging clusters"),
    "roles_title": ("定位（符号形状）", "Role (glyph shape)"),
    "basis_title": ("依据", "Basis"),
    "explicit_glyph": ("实心：文件明确点名", "Solid: named in the document"),
    "region_glyph": ("空心虚线：仅区域性提及（如珠三角）", "Hollow, dashed: only through a region term (e.g. PRD)"),
    "tint_explicit": ("浅色填充：该集群点名的城市", "Tinted: cities the cluster names"),
    "tint_region": ("虚线框：仅区域性提及的城市", "Dashed outline: cities only through a region term"),
    "focus_entry": ("所选城市", "City in focus"),
    "zoning_lines": ("一核一带一区（边界线）", "Core, belt and area (outlines)"),
    "title_few_short": ("{n}个战略性产业集群布局", "Designated bases of {n} strategic industrial clusters"),
    "title_one": ("{name}布局", "{name}: designated bases"),
    "title_few": ("{names}布局", "Designated bases: {names}"),
    "title_many": ("{n}个战略性产业集群布局", "Designated bases of {n} strategic industrial clusters"),
    "title_zoning": ("广东省“一核一带一区”区域发展格局", "Guangdong's core, belt and area zoning (一核一带一区)"),
    "title_cities": ("广东省21个地级市", "Guangdong's 21 prefecture-level cities"),
    # --- the app's own words (ui/) ---
    "startup_failed": ("应用无法启动：内置数据文件缺失或损坏。", "The app cannot start: a bundled data file is missing or damaged."),
    "bridge_version": ("地图组件 streamlit-folium 版本为 {installed}，本应用仅在 {tested} 上测试过。请安装 requirements.txt 中的版本。",
                       "The map component streamlit-folium is version {installed}; this app is tested with {tested}. "
                       "Install the version pinned in requirements.txt."),
    "map_too_large": ("这份数据的地图有 {mb:.1f} MB，超过上限 {cap:.0f} MB，无法显示。请减少集群或缩短原文。",
                      "The map of this data would be {mb:.1f} MB, over the {cap:.0f} MB limit, so it is not shown. "
                      "Use fewer clusters or shorter clauses."),
    "btn_all": ("全部", "All"),
    "btn_none": ("清空", "None"),
    "btn_pillar": ("支柱", "Pillar"),
    "btn_emerging": ("新兴", "Emerging"),
    "choose_city": ("— 选择城市 —", "— choose a city —"),
    "basemap_none": ("无（离线）", "None (offline)"),
    "basemap_osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap_carto": ("CartoDB Positron", "CartoDB Positron"),
    "basemap_gaode": ("高德地图（GCJ-02）", "Gaode (GCJ-02)"),
    "basemap_online": ("底图瓦片需联网加载。", "Basemap tiles need a network connection."),
    "own_data": ("自有数据", "Your own data"),
    "upload_designations": ("点名表（CSV、XLSX、YAML）", "Designations (CSV, XLSX, YAML)"),
    "upload_designations_help": ("格式见 data/templates/designations-template.csv",
                                 "Schema: data/templates/designations-template.csv"),
    "upload_mode": ("方式", "Use it"),
    "upload_replace": ("替换内置", "instead of built-in"),
    "upload_beside": ("与内置并列", "beside built-in"),
    "upload_boundaries": ("边界（GeoJSON、GeoPackage、Shapefile 压缩包）",
                          "Boundaries (GeoJSON, GeoPackage, zipped Shapefile)"),
    "n_problems": ("{n} 个问题", "{n} problem(s)"),
    "upload_invalid": ("文件无效，地图仍使用内置数据。", "The file is invalid; the map keeps the built-in data."),
    "using_upload": ("正在使用上传的数据（仅本会话可见）。", "Using your uploaded data (visible to this session only)."),
    "show_region_level": ("显示区域性提及", "Show region-level designations"),
    "click_a_city": ("在地图上点击城市，或在侧栏选择城市，即可在此查看它的全部点名和原文。",
                     "Click a city on the map, or choose one in the sidebar, to see every designation and its clause here."),
    "city_none": ("按当前依据和类别，文件未为该市指定任何产业集群。",
                  "With the current basis and tier, the document designates no cluster for this city."),
    "role_as_written": ("原文定位", "Role as written"),
    "layer_off": ("图层未显示", "layer off"),
    "cities_n": ("城市数", "Cities"),
    "cities_covered": ("被点名城市", "Cities covered"),
    "city_designations": ("点名—城市对", "Designation–city pairs"),
    "share": ("点名—城市对占比", "Share of designation–city pairs"),
    "pairs_help": ("点名—城市对：一条点名每指定一个城市计 1 对（一个集群在同一城市有几种定位就计几对）；"
                   "与“集群—城市格占比”（见上方“集中度”）不同，不宜混用。",
                   "Designation–city pairs: each designation counts once per city it names (a cluster naming a "
                   "city in two roles counts twice); not the same as the share of cluster–city cells under "
                   "“Concentration” above, so do not quote one for the other."),
    "cities_ranked": ("城市排名", "Cities ranked"),
    "compare_two": ("两地比较", "Compare two places"),
    "status": ("状态", "Status"),
    "status_shared": ("共有", "shared"),
    "status_only_a": ("仅 A", "only A"),
    "status_only_b": ("仅 B", "only B"),
    "about_design": ("地图读法：每个符号是一个产业集群在一个城市的一种定位——颜色和编号表示集群，形状表示定位，"
                     "空心虚线表示该集群仅通过区域性提及（如珠三角）在该市布局。",
                     "Reading the map: each glyph is one role of one cluster in one city — its colour and number "
                     "name the cluster, its shape the role; a hollow, dashed glyph means the city hosts the cluster only "
                     "through a region term (e.g. PRD)."),
    "region_term": ("区域术语", "Region term"),
    "region_english": ("英文", "English"),
    "definition": ("定义来源", "Definition"),
    "map_image": ("地图图片", "Map image"),
    "format": ("格式", "Format"),
    "size": ("尺寸", "Size"),
    "resolution": ("分辨率（PNG）", "Resolution (PNG)"),
    "size_a4-landscape": ("A4 横向", "A4 landscape"),
    "size_a4-portrait": ("A4 纵向", "A4 portrait"),
    "size_slide": ("16:9 幻灯片", "16:9 slide"),
    "size_screen": ("屏幕 1600×1000", "Screen 1600×1000"),
    "export_focus": ("在图中标出所选城市", "Outline the city in focus"),
    # --- the map approval number (审图号) of the user's boundaries, for a published map ---
    "map_approval": ("审图号（用于出版）", "Map approval number (审图号, for publication)"),
    "map_approval_help": ("填写您上传的边界所获的审图号，例如 GS(2024)1234号 或 粤S(2024)123号；"
                          "它将替代图片和海报页脚中的“示意图”说明，页脚同时注明边界文件。",
                          "The approval number your uploaded boundaries were granted, e.g. GS(2024)1234号 or "
                          "粤S(2024)123号; it takes the place of the schematic-map note in the footer of the "
                          "map image and the poster, which also credit the boundary file."),
    "map_approval_needs_upload": ("需先在侧栏“自有数据”上传边界文件：审图号属于获批的那套边界，内置边界没有审图号，"
                                  "地图按示意图出图。",
                                  "Upload a boundary file first (sidebar, \"Your own data\"): an approval number "
                                  "belongs to the approved boundaries; the built-in ones have none, so maps are "
                                  "printed as schematic maps."),
    "map_approval_refused": ("审图号未采用，地图和海报暂不能下载：", "The approval number is not used; the map and "
                             "the poster cannot be downloaded until it is fixed:"),
    "download_map": ("下载地图", "Download map"),
    "size_a3-landscape": ("A3 横向", "A3 landscape"),
    "poster": ("全部 20 个集群一页图（海报）", "All 20 clusters on one page (poster)"),
    "poster_help": ("每个集群一幅小图，按文件顺序分支柱、新兴两组；依据与语言同当前视图。",
                    "One small map per cluster, pillar and emerging in the document's order; basis and language "
                    "as in the current view."),
    "download_poster": ("下载海报", "Download poster"),
    "export_same_view": ("图片与地图同一视图：相同图层、符号、配色和语言。",
                         "The image draws the same view as the map: same layers, glyphs, colours and language."),
    "interactive_map": ("交互地图", "Interactive map"),
    "download_html": ("下载离线 HTML", "Download offline HTML"),
    "data": ("数据", "Data"),
    "table_coverage": ("各市布局", "Clusters per city"),
    "table_zones": ("区域汇总", "Zones"),
    "table_designations": ("全部点名", "Designations"),
    "download_geojson": ("城市边界+计数 GeoJSON", "Cities + counts GeoJSON"),
    "csv_bom": ("CSV 为带 BOM 的 UTF-8，Excel 可直接打开中文。",
                "CSV files are UTF-8 with a byte-order mark so Excel shows the Chinese text correctly."),
    "link_ignored": ("链接中有参数无法识别，已忽略（详见下方）。", "Some link parameters were not understood and were ignored (details below)."),
    "matrix_title": ("产业集群 × 城市矩阵", "Clusters × cities matrix"),
    "matrix_help": ("实心符号：文件明确点名；空心：仅区域性提及；形状表示定位（同地图）。行首的勾选与地图上显示的集群一致：勾选即显示，取消即隐藏；点击表头的城市名即选中该城市。",
                    "Filled glyph: named in the document; hollow: only through a region term; the shape is the role "
                    "(as on the map). The ticked rows are the clusters on the map: tick to show one, untick to hide it; click a city's name in the header to put that city in focus."),
    "matrix_columns": ("城市列按区域排列：", "City columns by zone: "),
    "matrix_sort": ("排序", "Order"),
    "matrix_sort_policy": ("按文件顺序", "as in the document"),
    "matrix_sort_total": ("按合计", "by totals"),
    "matrix_totals": ("各市合计：", "Per city:"),
    "concentration_title": ("集中度：各区域所占份额", "Concentration: each zone's share"),
    "concentration_help": ("与该区域的城市占比和面积占比（等积投影）相比：倍数大于 1 表示多于其份额。"
                           "基尼系数衡量各市所获集群数的不均衡程度（0 = 各市相同；n 个城市时最大为 (n−1)/n，"
                           "即全部集中于一市），未获点名的城市计 0。",
                           "Compared with the zone's share of the cities and of the land (equal-area projection): "
                           "above 1× the zone holds more than its share. The Gini index measures how unevenly the "
                           "cities receive clusters (0 = every city the same; at most (n−1)/n for n cities, all in "
                           "one city); cities no cluster names count as 0."),
    "headline_share": ("{zone}：集群—城市格占比", "{zone}: share of cluster–city cells"),
    "headline_ratio": ("为其城市占比的 {r:.2f} 倍", "{r:.2f}× its share of cities"),
    "headline_definition": ("集群—城市格：一个集群点名一个城市计 1 格，不论点名几次、几种定位；"
                            "{basis}、{tier}共 {n} 格。",
                            "Cluster–city cell: one cluster naming one city counts 1, however many clauses or "
                            "roles name it; {n} cells in all ({basis}, {tier})."),
    "similarity_title": ("城市相似度（集群组合的 Jaccard 系数）", "City similarity (Jaccard index of cluster portfolios)"),
    "similarity_undefined": ("—：两市均无集群点名，相似度无定义（0 ÷ 0），不计入“最相似”。",
                             "—: neither city hosts a cluster, so the similarity is undefined (0 ÷ 0) and never "
                             "counted as “most similar”."),
    "undefined": ("无定义", "undefined"),
    "similarity_help": ("两市共有集群数 ÷ 两市集群总数（并集）；按一核、一带、一区排序。",
                        "Clusters both cities host ÷ clusters either hosts; ordered by zone (core, belt, north)."),
    "similar_cities": ("集群组合最相似的城市", "Cities with the most similar cluster portfolio"),
    "tab_map": ("地图", "Map"),
    "tab_compare": ("区域比较", "Regional comparison"),
    "tab_designations": ("全部点名", "All designations"),
    "tab_export": ("导出", "Export"),
    "tab_about": ("说明", "About"),
    # --- sources: each layer drawn credits its document (`credit` in its data file) ---
    "sources_head": ("资料来源：", "Sources: "),
    "sources_sep": ("；", "; "),
    "source_of_clusters": ("产业集群——{credit}", "clusters: {credit}"),
    "source_of_zoning": ("一核一带一区——{credit}", "zoning: {credit}"),
    "source_of_boundaries": ("行政区划边界——{credit}", "boundaries: {credit}"),
    "source_user_data": ("用户数据文件 {name}", "the user's data file {name}"),
    "source_user_boundaries": ("用户提供的边界文件 {name}", "the user's boundary file {name}"),
    # --- static maps (export/): footer, furniture, enlargement ---
    "print_made": ("制图日期：{date}", "Map made {date}"),
    "crs": ("投影：CGCS2000 高斯–克吕格 3° 带 114°E", "Projection: CGCS2000 Gauss–Krüger 3° zone, CM 114°E"),
    "schematic": ("示意图：行政区划界线据{origin}简化绘制，仅示意城市位置，"
                  "不作为国界、行政区域界线及权属争议的依据；非标准地图，无审图号。",
                  "Schematic map: boundaries simplified from {origin} to show where cities "
                  "are; not authoritative for any national, administrative or disputed boundary; not a "
                  "standard map with an approval number."),
    "origin_user": ("用户提供的文件 {name}", "the user's file {name}"),
    # In place of the schematic note when the user's boundaries come with a map approval number.
    "approval_line": ("审图号：{number}", "Map approval number (审图号): {number}"),
    "print_north": ("北", "N"),
    "inset_title": ("珠江口地区（放大）", "Pearl River Estuary (enlarged)"),
    "inset_mark": ("见放大图", "see enlargement"),
    # --- places around the map ---
    "sea": ("南海", "South China Sea"),
    "dongsha": ("东沙群岛", "Dongsha Islands"),
    "sar_810000": ("香港特别行政区", "Hong Kong SAR"),
    "sar_820000": ("澳门特别行政区", "Macao SAR"),
    # --- the poster ---
    "poster_title": ("广东省{n}个战略性产业集群布局总览", "All {n} strategic industrial clusters of Guangdong"),
    "poster_key": ("城市", "Cities"),
    "poster_scale": ("各小图比例尺相同", "All panels at one scale"),
    # --- the matrix image ---
    "matrix_heading_pillar": ("战略性支柱产业集群（稳）", "Pillar clusters"),
    "matrix_heading_emerging": ("战略性新兴产业集群（进）", "Emerging clusters"),
    "matrix_image_title": ("{tier}产业集群布局矩阵：{n}个集群 × {m}个地市（{basis}）",
              "Where the clusters are: {n} {tier}cluster{plural} × {m} cities ({basis})"),
    "matrix_tier_all": ("战略性", "strategic industrial "),
    "matrix_tier_pillar": ("战略性支柱", "pillar "),
    "matrix_tier_emerging": ("战略性新兴", "emerging "),
    "matrix_subtitle": ("每格为该市在该集群中的定位；行、列合计为各集群布局的城市数和各市布局的集群数",
                 "each cell is the city's role in the cluster; totals count the cities hosting each cluster and "
                 "the clusters each city hosts"),
    "matrix_total": ("合计", "Total"),
    "matrix_explicit": ("实心：文件明确点名该市", "Filled: the city is named"),
    "matrix_region": ("空心虚线：仅区域性提及（如珠三角）", "Hollow, dashed: region-level mention only (e.g. PRD)"),
    "matrix_more": ("+n：另有 n 种定位", "+n: n more roles"),
    "matrix_chip": ("色块与编号：产业集群（与地图一致）", "Colour and number: the cluster (as on the map)"),
    "matrix_made": ("制表日期：{date}", "Made {date}"),
    "matrix_empty": ("所选类别没有产业集群", "No cluster in this selection"),
    # --- the analysis tables ---
    "tbl_key": ("编号", "No."),
    "tbl_cluster": ("产业集群", "Cluster"),
    "tbl_tier": ("类别", "Tier"),
    "tbl_total": ("合计", "Total"),
    "tbl_city": ("城市", "City"),
    "tbl_zone": ("区域", "Zone"),
    "tbl_cities": ("城市数", "Cities"),
    "tbl_city_share": ("城市占比", "Share of cities"),
    "tbl_area_km2": ("面积（km²）", "Area (km²)"),
    "tbl_area_share": ("面积占比", "Share of land"),
    "tbl_cluster_cities": ("集群—城市格", "Cluster–city cells"),
    "tbl_cluster_city_share": ("集群—城市格占比", "Share of cluster–city cells"),
    "tbl_ratio_cities": ("相对城市占比", "vs share of cities"),
    "tbl_ratio_area": ("相对面积占比", "vs share of land"),
    "tbl_cities_named": ("被点名城市", "Cities named"),
    "tbl_gini": ("基尼系数", "Gini index"),
    "tbl_top_city": ("最多的城市", "Top city"),
    "tbl_top_count": ("其集群数", "Its clusters"),
    "tbl_unnamed": ("未被任何集群点名的城市", "Cities named by no cluster"),
    "tbl_rank": ("排名", "Rank"),
    "tbl_jaccard": ("相似度（Jaccard）", "Similarity (Jaccard)"),
    "tbl_shared": ("共有集群", "Shared clusters"),
    "tbl_only_city": ("仅本市", "Only this city"),
    "tbl_only_other": ("仅对方", "Only the other"),
    "tbl_tier_all": ("全部集群", "all clusters"),
    "tbl_tier_pillar": ("支柱产业集群", "pillar clusters"),
    "tbl_tier_emerging": ("新兴产业集群", "emerging clusters"),
    "tbl_none": ("无", "none"),
}


def source_line(policy: Policy, lang: str, layers=("clusters",), boundaries=None) -> str:
    """The footer's credit: the document of each layer drawn (`layers`: "clusters",
    "zoning"), as the data files word it, a user's designations file in place of or
    beside the cluster document, and the boundaries (`boundaries`, a
    geo.boundaries.BoundarySource; the bundled data set when None; "none": not drawn)."""
    parts = []
    if "clusters" in layers:
        own = t("source_user_data", lang, name=policy.user_source) if policy.user_source else ""
        doc = policy.sources["clusters"].credit(lang) if "clusters" in policy.sources else ""
        credit = own if policy.user_mode == "replace" and own else \
            t("cites_sep", lang).join(x for x in (doc, own) if x)
        if credit:
            parts.append(t("source_of_clusters", lang, credit=credit))
    if "zoning" in layers and "zoning" in policy.sources:
        parts.append(t("source_of_zoning", lang, credit=policy.sources["zoning"].credit(lang)))
    if boundaries != "none":
        if boundaries is None:
            from geo.boundaries import load_source

            boundaries = load_source()
        credit = t("source_user_boundaries", lang, name=boundaries.user_file) if boundaries.user \
            else boundaries.cite(lang)
        parts.append(t("source_of_boundaries", lang, credit=credit))
    return t("sources_head", lang) + t("sources_sep", lang).join(parts)


def based_on(policy: Policy, lang: str, layers) -> str:
    """"依据…" / "Based on …": the documents of `layers`, short; a user's designations
    file that replaces the cluster document is credited in the footer instead."""
    cites = []
    if "clusters" in layers and policy.user_mode != "replace" and "clusters" in policy.sources:
        cites.append(policy.sources["clusters"].cite(lang))
    if "zoning" in layers and "zoning" in policy.sources:
        cites.append(policy.sources["zoning"].cite(lang))
    return t("based_on", lang, cites=t("cites_sep", lang).join(cites)) if cites else ""


def schematic_note(lang: str, boundaries=None) -> str:
    """The schematic-map note, naming where the boundaries come from."""
    if boundaries is None:
        from geo.boundaries import load_source

        boundaries = load_source()
    origin = t("origin_user", lang, name=boundaries.user_file) if boundaries.user else boundaries.origin(lang)
    return t("schematic", lang, origin=origin)


def with_count(name: str, count: str, lang: str) -> str:
    """A name and its count in one bracket: 沿海经济带（东西两翼，7 市）, never （东西两翼）（7 市）."""
    if lang == "zh":
        return f"{name[:-1]}，{count}）" if name.endswith("）") else f"{name}（{count}）"
    return f"{name[:-1]}; {count})" if name.endswith(")") else f"{name} ({count})"


def t(key: str, lang: str, **kw) -> str:
    """The word or sentence `key` in `lang`, its {blanks} filled from `kw`."""
    zh, en = LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**kw) if kw else text


def cluster_name(policy: Policy, cid: str, lang: str) -> str:
    c = policy.clusters[cid]
    return c.name_zh if lang == "zh" else c.name_en


def city_name(policy: Policy, adcode: str, lang: str) -> str:
    c = policy.cities[adcode]
    return c.name_zh if lang == "zh" else c.name_en


# The definitions of the region terms in Chinese (the data's own notes are in English).
REGION_NOTES_ZH = {
    "prd": "珠三角经济区的广东九市，与一核一带一区（2019 年省级意见）的珠三角核心区相同。用于“珠三角”“珠三角地区”“珠三角核心区”。",
    "prd_east_bank": "解释性界定。82号文未列出珠江东岸电子信息产业带的城市。《粤港澳大湾区发展规划纲要》（2019）将东岸电子信息产业集群"
                     "置于深圳、东莞一带；省级规划文本将东岸表述为广州、深圳、东莞、惠州，此处采用该组城市。",
    "east_west_north": "珠三角以外的十二市，即沿海经济带东西两翼加北部生态发展区（一核一带一区，2019）。云浮归粤西或粤北因来源而异，"
                       "两者之并集均包含它。",
    "east_north": "沿海经济带东翼（汕头、汕尾、潮州、揭阳）加北部生态发展区（韶关、梅州、清远、河源、云浮），依一核一带一区（2019）。",
    "coastal_belt_full": "一核一带一区（2019）中正式的沿海经济带：珠三角沿海七市加东西两翼，共 14 市。亦用于沿海新能源产业带中的“沿海”。",
    "coastal_wings": "区划意义上的沿海经济带：珠三角以外的七个沿海城市。用于文件将其与珠三角核心区并列、作为配套区域之处（超高清视频显示）。",
    "northern_eco": "一核一带一区（2019）中的北部生态发展区。",
    "robots_others": "智能机器人条款中的“其它各地市”：21 市减去该条款点名的六市（广州、深圳、珠海、佛山、东莞、中山）；测试检查它始终是补集。",
}


def region_note(policy: Policy, region_id: str, lang: str) -> str:
    """A region term's definition in `lang` (a term without a Chinese definition keeps its own)."""
    note = policy.regions[region_id].note
    return REGION_NOTES_ZH.get(region_id, note) if lang == "zh" else note


def zone_name(policy: Policy, zone_id: str, lang: str) -> str:
    z = policy.zones[zone_id]
    return z.name_zh if lang == "zh" else z.name_en


def role_name(policy: Policy, role: str, lang: str) -> str:
    return policy.role_categories[role]["zh" if lang == "zh" else "en"]


def cluster_title_name(name: str, lang: str) -> str:
    """A cluster's name as a title says it: 汽车产业 → 汽车产业集群, 新能源 → 新能源产业集群."""
    if lang != "zh":
        return name
    return name + ("集群" if name.endswith("产业") else "产业集群")


def coverage_title(policy: Policy, basis: str, tier: str, lang: str) -> str:
    """What the clusters-per-city map counts; the basis is the subtitle's to say."""
    n = sum(1 for c in policy.clusters.values() if tier == "all" or c.tier == tier)
    tier_zh = {"all": "", "pillar": "支柱", "emerging": "新兴"}[tier]
    tier_en = {"all": "", "pillar": "pillar ", "emerging": "emerging "}[tier]
    if lang == "zh":
        return f"各市布局的战略性{tier_zh}产业集群数（共{n}个集群）"
    return f"Strategic {tier_en}industrial clusters hosted per city ({n} clusters)"


def coverage_title_short(tier: str, lang: str) -> str:
    """`coverage_title` where a page has no room for it."""
    if lang == "zh":
        return f"各市布局的{ {'all': '', 'pillar': '支柱', 'emerging': '新兴'}[tier]}产业集群数"
    return {"all": "Clusters", "pillar": "Pillar clusters", "emerging": "Emerging clusters"}[tier] + " hosted per city"


def view_title(policy: Policy, state, lang: str | None = None) -> str:
    """A title that describes what the view shows."""
    lang = lang or state.lang
    if state.clusters and not state.coverage:
        names = [cluster_name(policy, c, lang) for c in state.clusters]
        if len(names) > 3:
            names = names[:3] + ([f"等{len(state.clusters)}个"] if lang == "zh" else [f"and {len(state.clusters) - 3} more"])
        joined = "、".join(names) if lang == "zh" else ", ".join(names)
        return f"{joined}产业集群布局" if lang == "zh" else f"Cluster bases: {joined}"
    if state.coverage:
        return coverage_title(policy, state.basis, state.tier, lang)
    if state.zoning:
        return "广东省“一核一带一区”区域发展格局" if lang == "zh" else "Guangdong's core, belt and area zoning"
    return t("app_title", lang)
