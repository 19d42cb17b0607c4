"""Building blocks shared by every dashboard: the data source, the store filter, panel makers.

Every panel query is built here or from ``FILTER``/``by_store`` so that the live test can swap the
template variables for their kiosk defaults and run each query as Grafana would.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, stat, table, timeseries
from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as d
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models import common as c
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

# Referenced by uid, never by name: provisioning and `cxpulse grafana push` both create it with
# this uid, so a renamed data source does not break a panel.
DS_UID = "cxpulse-prometheus"
DS = c.DataSourceRef(type_val="prometheus", uid=DS_UID)

# The worker is scraped every 15 s in the compose stack; Grafana must not refresh faster than
# twice that or half its refreshes show nothing new (refresh >= 2x scrape interval).
SCRAPE_INTERVAL_S = 15
REFRESH = "30s"

# Store-level series exist only for the stores a worker lists (the worst of each list and those
# with an alert firing) and carry only store_id; brand/region/city live on cxpulse_store_info
# (value 1), so multiplying by it both filters by the template variables and adds the labels
# for legends.
VARIABLES = ("brand", "region", "city", "store")
INFO = 'cxpulse_store_info{brand=~"$brand",region=~"$region",city=~"$city",store_id=~"$store"}'
JOIN = f" * on(store_id) group_left(brand, region, city) {INFO}"
# The recording rules keep brand/region/city on the joined series, so a panel filters directly.
FILTER = 'brand=~"$brand",region=~"$region",city=~"$city",store_id=~"$store"'
W1H, W24H = 'window="1h"', 'window="24h"'


# Rollups carry their group's labels (a city's carry its region too), so a panel filters them
# directly. Each level is a separate sum of the same stores: a brand picked on a dashboard
# narrows the brand figures and the store lists, not the region and city figures.
LEVEL_FILTERS = {
    "brand": 'brand=~"$brand"',
    "region": 'region=~"$region"',
    "city": 'region=~"$region",city=~"$city"',
}


def rollup(level: str, figure: str, matchers: str = "") -> str:
    """A rollup figure of the selected groups, e.g. ``cxpulse_region_ratings{...}``."""
    inner = ",".join(m for m in (matchers, LEVEL_FILTERS[level]) if m)
    return f"cxpulse_{level}_{figure}{{{inner}}}"


def ratio(numerator: str, denominator: str, by: str = "") -> str:
    """Summed numerator over summed denominator (workers and groups alike): never a mean of
    ratios. A group with nothing in the denominator is left out rather than shown as NaN."""
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} ({numerator}) / (sum{grouping} ({denominator}) > 0)"


def share(level: str, ratings: str, window: str, by: str = "") -> str:
    """Share of the given ratings among all ratings (CSAT: "4|5", delight: "5")."""
    return ratio(
        rollup(level, "ratings", f'window="{window}",rating=~"{ratings}"'),
        rollup(level, "ratings", f'window="{window}"'),
        by,
    )


def nps(level: str, window: str, by: str = "") -> str:
    """NPS from the answer counts: 100 x (promoters - detractors) / answers."""
    grouping = f" by ({by})" if by else ""
    w = f'window="{window}"'
    promoters = rollup(level, "nps_answers", w + ',group="promoter"')
    detractors = rollup(level, "nps_answers", w + ',group="detractor"')
    answers = rollup(level, "nps_answers", w)
    return (
        f"100 * (sum{grouping} ({promoters}) - sum{grouping} ({detractors}))"
        f" / (sum{grouping} ({answers}) > 0)"
    )


def listed(metric: str, matchers: str, lists: str) -> str:
    """A per-store series of the stores in the given lists (``cxpulse_store_listed``)."""
    chosen = f'cxpulse_store_listed{{list=~"{lists}"}}'
    return f"({by_store(metric, matchers)} and on(store_id) {chosen})"


def by_store(metric: str, matchers: str = "") -> str:
    """A per-store series restricted to the selected brand/region/city/store."""
    sel = f"{metric}{{{matchers}}}" if matchers else metric
    return f"({sel}{JOIN})"


def variables() -> list[Builder[dm.VariableModel]]:
    """brand, region -> city -> store, each narrowed by the ones before it where the series
    carry the labels. Brands, regions and cities come from the rollups (every store counts);
    the stores are the listed ones, which are all a dashboard can drill down to.

    Default "All" with the regex ``.*``: a kiosk hides the dropdowns, so the wall must show the
    whole network until someone picks a region in the URL (``?var-region=华东``).
    """
    chain = {
        "brand": ("Brand", "label_values(cxpulse_brand_stores, brand)"),
        "region": ("Region", "label_values(cxpulse_region_stores, region)"),
        "city": ("City", 'label_values(cxpulse_city_stores{region=~"$region"}, city)'),
        "store": (
            "Store",
            "label_values(cxpulse_store_info"
            '{brand=~"$brand",region=~"$region",city=~"$city"}, store_id)',
        ),
    }
    out: list[Builder[dm.VariableModel]] = []
    for name, (label, query) in chain.items():
        out.append(
            d.QueryVariable(name)
            .label(label)
            .datasource(DS)
            .query(query)
            .definition(query)
            .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(dm.VariableSort.NATURAL_ASC)
            .multi(True)
            .include_all(True)
            .all_value(".*")
            .current(dm.VariableOption(selected=True, text="All", value="$__all"))
        )
    return out


def query(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> prom.Dataquery:
    q = prom.Dataquery().datasource(DS).expr(expr).ref_id(ref)
    if legend:
        q = q.legend_format(legend)
    return q.instant() if instant else q.range()


def steps(*pairs: tuple[float | None, str]) -> d.ThresholdsConfig:
    return (
        d.ThresholdsConfig()
        .mode(dm.ThresholdsMode.ABSOLUTE)
        .steps([dm.Threshold(value, color) for value, color in pairs])
    )


# Colours read from across a room: red is bad whichever way the number runs.
def zero_is_good() -> d.ThresholdsConfig:
    return steps((None, "green"), (1, "red"))


def big_stat(
    title: str,
    expr: str,
    *,
    unit: str,
    thresholds: d.ThresholdsConfig,
    description: str,
    decimals: int | None = None,
    no_value: str | None = None,
    width: int = 4,
    height: int = 6,
) -> stat.Panel:
    """A wall number: one value, background coloured by its thresholds, no sparkline clutter."""
    p = (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DS)
        .with_target(query(expr, instant=True))
        .unit(unit)
        .thresholds(thresholds)
        .color_mode(c.BigValueColorMode.BACKGROUND)
        .graph_mode(c.BigValueGraphMode.NONE)
        .text_mode(c.BigValueTextMode.VALUE)
        .justify_mode(c.BigValueJustifyMode.CENTER)
        .reduce_options(cb.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .span(width)
        .height(height)
    )
    if decimals is not None:
        p = p.decimals(decimals)
    if no_value is not None:
        # Counters appear only at their first increment: no series yet means none happened.
        p = p.no_value(no_value)
    return p


def trend(
    title: str,
    *targets: tuple[str, str],
    unit: str,
    description: str,
    width: int = 12,
    height: int = 8,
    min_val: float | None = None,
    max_val: float | None = None,
) -> timeseries.Panel:
    p = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DS)
        .unit(unit)
        .line_width(2)
        .fill_opacity(10)
        .span(width)
        .height(height)
        .legend(
            cb.VizLegendOptions()
            .show_legend(True)
            .display_mode(c.LegendDisplayMode.LIST)
            .placement(c.LegendPlacement.BOTTOM)
        )
    )
    if min_val is not None:
        p = p.min(min_val)
    if max_val is not None:
        p = p.max(max_val)
    for i, (expr, legend) in enumerate(targets):
        p = p.with_target(query(expr, legend, ref=chr(ord("A") + i)))
    return p


def ranking(
    title: str,
    expr: str,
    *,
    unit: str,
    thresholds: d.ThresholdsConfig,
    description: str,
    legend: str = "{{store_id}} {{city}}",
    width: int = 12,
    height: int = 10,
    min_val: float | None = None,
    max_val: float | None = None,
) -> bargauge.Panel:
    """Horizontal bars, one per series, in query order (sort with ``sort``/``bottomk``)."""
    p = (
        bargauge.Panel()
        .title(title)
        .description(description)
        .datasource(DS)
        .with_target(query(expr, legend, instant=True))
        .unit(unit)
        .thresholds(thresholds)
        .orientation(c.VizOrientation.HORIZONTAL)
        .display_mode(c.BarGaugeDisplayMode.BASIC)
        .show_unfilled(True)
        .reduce_options(cb.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .span(width)
        .height(height)
    )
    if min_val is not None:
        p = p.min(min_val)
    if max_val is not None:
        p = p.max(max_val)
    return p


# Labels that say nothing to a store manager: the scrape's and the window (in the title).
HIDDEN_COLUMNS = {"Time": True, "job": True, "instance": True, "window": True}


def grid(
    title: str,
    *columns: tuple[str, str, str],
    description: str,
    width: int = 24,
    height: int = 10,
) -> table.Panel:
    """One row per store, one column per (query, header, unit), sorted by the first column."""
    p = (
        table.Panel()
        .title(title)
        .description(description)
        .datasource(DS)
        .span(width)
        .height(height)
        # Instant table queries come back as one frame per query; merge joins them on labels.
        .with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))
        .with_transformation(
            dm.DataTransformerConfig(id_val="organize", options={"excludeByName": HIDDEN_COLUMNS})
        )
        .sort_by([cb.TableSortByFieldState().display_name(columns[0][1]).desc(False)])
    )
    for i, (expr, header, unit) in enumerate(columns):
        ref = chr(ord("A") + i)
        p = p.with_target(query(expr, ref=ref, instant=True).format(PromQueryFormat.TABLE))
        p = p.override_by_name(
            f"Value #{ref}",
            [dm.DynamicConfigValue("displayName", header), dm.DynamicConfigValue("unit", unit)],
        )
    return p


def board(title: str, uid: str, description: str, tags: list[str]) -> d.Dashboard:
    """A dashboard with the settings every board shares: refresh, range, zone, filters."""
    return (
        d.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["cxpulse", *tags])
        .refresh(REFRESH)
        .time("now-6h", "now")
        .timezone("browser")
        .variables(variables())
    )
