"""Write ``countries.tsv``: every ISO 3166-1 country with the forms news text uses for it.

Run once, and again only when the forms below change (review the diff)::

    python -m newsgraph.knowledge.build_countries

The codes and official names come from pycountry; the display names, other names,
adjectives, plural demonyms and government seats are this project's own, written in
:data:`FORMS` below. A seat is a capital (or another seat of government) that news
text uses for the government itself: "Tehran said", "Washington warned", "the
Kremlin". Seats are left out where the name is too ambiguous to be read that way
(``Kingston``, ``Victoria``, ``Male``) and for dependent territories.
"""

# ruff: noqa: E501
# (FORMS below is a data table, one country a line; wrapping it would hide its columns.)
from __future__ import annotations

import sys
from pathlib import Path

import pycountry

OUTPUT = Path(__file__).with_name("countries.tsv")

# One line per country: ISO3 | display name | other names | adjectives | plural
# demonyms | seats of government. Lists are ";"-separated; empty fields are allowed.
# Names that pycountry already gives (name, common and official name) are added by
# the script and need not be repeated here.
FORMS = """
ABW|Aruba||Aruban|Arubans|
AFG|Afghanistan||Afghan|Afghans|Kabul
AGO|Angola||Angolan|Angolans|Luanda
AIA|Anguilla||Anguillan|Anguillans|
ALA|Åland Islands|Aland Islands|Ålander||
ALB|Albania||Albanian|Albanians|Tirana
AND|Andorra||Andorran|Andorrans|Andorra la Vella
ARE|United Arab Emirates|UAE;U.A.E.;the Emirates;Emirates|Emirati|Emiratis|Abu Dhabi
ARG|Argentina||Argentine;Argentinian|Argentines;Argentinians|Buenos Aires
ARM|Armenia||Armenian|Armenians|Yerevan
ASM|American Samoa||American Samoan|American Samoans|
ATA|Antarctica||Antarctic||
ATF|French Southern Territories||||
ATG|Antigua and Barbuda|Antigua|Antiguan|Antiguans|
AUS|Australia||Australian|Australians|Canberra
AUT|Austria||Austrian|Austrians|Vienna
AZE|Azerbaijan||Azerbaijani;Azeri|Azerbaijanis;Azeris|Baku
BDI|Burundi||Burundian|Burundians|Gitega;Bujumbura
BEL|Belgium||Belgian|Belgians|
BEN|Benin||Beninese|Beninese|Porto-Novo;Cotonou
BES|Caribbean Netherlands|Bonaire|||
BFA|Burkina Faso|Burkina|Burkinabe;Burkinabè|Burkinabes|Ouagadougou
BGD|Bangladesh||Bangladeshi|Bangladeshis|Dhaka
BGR|Bulgaria||Bulgarian|Bulgarians|Sofia
BHR|Bahrain||Bahraini|Bahrainis|Manama
BHS|Bahamas|The Bahamas|Bahamian|Bahamians|Nassau
BIH|Bosnia and Herzegovina|Bosnia-Herzegovina;Bosnia|Bosnian|Bosnians|Sarajevo
BLM|Saint Barthélemy|Saint Barthelemy;St Barts|||
BLR|Belarus|Byelorussia|Belarusian;Belarussian|Belarusians|Minsk
BLZ|Belize||Belizean|Belizeans|Belmopan
BMU|Bermuda||Bermudian|Bermudians|
BOL|Bolivia||Bolivian|Bolivians|La Paz;Sucre
BRA|Brazil||Brazilian|Brazilians|Brasilia;Brasília
BRB|Barbados||Barbadian|Barbadians|Bridgetown
BRN|Brunei|Brunei Darussalam|Bruneian|Bruneians|Bandar Seri Begawan
BTN|Bhutan||Bhutanese|Bhutanese|Thimphu
BVT|Bouvet Island||||
BWA|Botswana||Botswanan|Batswana|Gaborone
CAF|Central African Republic||Central African|Central Africans|Bangui
CAN|Canada||Canadian|Canadians|Ottawa
CCK|Cocos (Keeling) Islands|Cocos Islands|||
CHE|Switzerland||Swiss|Swiss|Bern
CHL|Chile||Chilean|Chileans|Santiago
CHN|China|People's Republic of China;PRC;mainland China|Chinese|Chinese|Beijing;Peking
CIV|Côte d'Ivoire|Cote d'Ivoire;Ivory Coast|Ivorian|Ivorians|Yamoussoukro;Abidjan
CMR|Cameroon||Cameroonian|Cameroonians|Yaounde;Yaoundé
COD|Democratic Republic of the Congo|DR Congo;D.R. Congo;DRC;Congo-Kinshasa;Congo|Congolese|Congolese|Kinshasa
COG|Republic of the Congo|Congo-Brazzaville;Republic of Congo|||Brazzaville
COK|Cook Islands||||
COL|Colombia||Colombian|Colombians|Bogota;Bogotá
COM|Comoros||Comorian|Comorians|
CPV|Cabo Verde|Cape Verde|Cape Verdean;Cabo Verdean|Cape Verdeans|Praia
CRI|Costa Rica||Costa Rican|Costa Ricans|
CUB|Cuba||Cuban|Cubans|Havana
CUW|Curaçao|Curacao|||
CXR|Christmas Island||||
CYM|Cayman Islands|Caymans|Caymanian|Caymanians|
CYP|Cyprus||Cypriot|Cypriots|Nicosia
CZE|Czechia|Czech Republic|Czech|Czechs|Prague
DEU|Germany||German|Germans|Berlin
DJI|Djibouti||Djiboutian|Djiboutians|
DMA|Dominica||||Roseau
DNK|Denmark||Danish|Danes|Copenhagen
DOM|Dominican Republic||Dominican|Dominicans|Santo Domingo
DZA|Algeria||Algerian|Algerians|Algiers
ECU|Ecuador||Ecuadorian;Ecuadorean|Ecuadorians;Ecuadoreans|Quito
EGY|Egypt||Egyptian|Egyptians|Cairo
ERI|Eritrea||Eritrean|Eritreans|Asmara
ESH|Western Sahara||Sahrawi;Saharawi|Sahrawis;Saharawis|
ESP|Spain||Spanish|Spaniards|Madrid
EST|Estonia||Estonian|Estonians|Tallinn
ETH|Ethiopia||Ethiopian|Ethiopians|Addis Ababa
FIN|Finland||Finnish|Finns|Helsinki
FJI|Fiji||Fijian|Fijians|Suva
FLK|Falkland Islands|Falklands;Malvinas||Falkland Islanders|
FRA|France||French|Frenchmen|Paris;Elysee;Élysée;Elysee Palace;Élysée Palace
FRO|Faroe Islands|Faroes|Faroese||
FSM|Micronesia|Federated States of Micronesia|Micronesian|Micronesians|Palikir
GAB|Gabon||Gabonese|Gabonese|Libreville
GBR|United Kingdom|UK;U.K.;Britain;Great Britain;England;Scotland;Wales;Northern Ireland|British;Scottish;Welsh|Britons;Brits|London;Downing Street;Whitehall;Number 10
GEO|Georgia||Georgian|Georgians|Tbilisi
GGY|Guernsey||||
GHA|Ghana||Ghanaian|Ghanaians|Accra
GIB|Gibraltar||Gibraltarian|Gibraltarians|
GIN|Guinea||Guinean|Guineans|Conakry
GLP|Guadeloupe||||
GMB|Gambia|The Gambia|Gambian|Gambians|Banjul
GNB|Guinea-Bissau||Bissau-Guinean|Bissau-Guineans|Bissau
GNQ|Equatorial Guinea||Equatoguinean;Equatorial Guinean|Equatoguineans|Malabo
GRC|Greece||Greek|Greeks|Athens
GRD|Grenada||Grenadian|Grenadians|
GRL|Greenland||Greenlandic|Greenlanders|Nuuk
GTM|Guatemala||Guatemalan|Guatemalans|Guatemala City
GUF|French Guiana||||
GUM|Guam||||
GUY|Guyana||Guyanese|Guyanese|Georgetown
HKG|Hong Kong||Hong Kong|Hongkongers;Hong Kongers|
HMD|Heard Island and McDonald Islands||||
HND|Honduras||Honduran|Hondurans|Tegucigalpa
HRV|Croatia||Croatian;Croat|Croatians;Croats|Zagreb
HTI|Haiti||Haitian|Haitians|Port-au-Prince
HUN|Hungary||Hungarian|Hungarians|Budapest
IDN|Indonesia||Indonesian|Indonesians|Jakarta
IMN|Isle of Man||Manx||
IND|India||Indian|Indians|New Delhi
IOT|British Indian Ocean Territory|Chagos Islands;Chagos Archipelago|||
IRL|Ireland|Republic of Ireland|Irish|Irish|Dublin
IRN|Iran|Islamic Republic of Iran;Islamic Republic;Persia|Iranian|Iranians|Tehran;Teheran
IRQ|Iraq||Iraqi|Iraqis|Baghdad
ISL|Iceland||Icelandic|Icelanders|Reykjavik
ISR|Israel|State of Israel|Israeli|Israelis|Jerusalem;Tel Aviv
ITA|Italy||Italian|Italians|Rome
JAM|Jamaica||Jamaican|Jamaicans|
JEY|Jersey||||
JOR|Jordan|Hashemite Kingdom of Jordan|Jordanian|Jordanians|Amman
JPN|Japan||Japanese|Japanese|Tokyo
KAZ|Kazakhstan||Kazakh;Kazakhstani|Kazakhs;Kazakhstanis|Astana;Nur-Sultan
KEN|Kenya||Kenyan|Kenyans|Nairobi
KGZ|Kyrgyzstan|Kyrgyz Republic|Kyrgyz|Kyrgyz|Bishkek
KHM|Cambodia||Cambodian|Cambodians|Phnom Penh
KIR|Kiribati||I-Kiribati||Tarawa
KNA|Saint Kitts and Nevis|St Kitts and Nevis|Kittitian|Kittitians|Basseterre
KOR|South Korea|Republic of Korea;ROK|South Korean|South Koreans|Seoul
KWT|Kuwait||Kuwaiti|Kuwaitis|Kuwait City
LAO|Laos|Lao PDR|Lao;Laotian|Laotians|Vientiane
LBN|Lebanon||Lebanese|Lebanese|Beirut
LBR|Liberia||Liberian|Liberians|Monrovia
LBY|Libya||Libyan|Libyans|Tripoli
LCA|Saint Lucia|St Lucia|Saint Lucian|Saint Lucians|Castries
LIE|Liechtenstein||Liechtensteiner|Liechtensteiners|Vaduz
LKA|Sri Lanka||Sri Lankan|Sri Lankans|Colombo
LSO|Lesotho||Basotho|Basotho|Maseru
LTU|Lithuania||Lithuanian|Lithuanians|Vilnius
LUX|Luxembourg||Luxembourgish|Luxembourgers|
LVA|Latvia||Latvian|Latvians|Riga
MAC|Macao|Macau|Macanese||
MAF|Saint Martin||||
MAR|Morocco||Moroccan|Moroccans|Rabat
MCO|Monaco||Monegasque|Monegasques|
MDA|Moldova||Moldovan|Moldovans|Chisinau;Chișinău
MDG|Madagascar||Malagasy|Malagasy|Antananarivo
MDV|Maldives||Maldivian|Maldivians|
MEX|Mexico||Mexican|Mexicans|Mexico City
MHL|Marshall Islands||Marshallese|Marshallese|Majuro
MKD|North Macedonia|Macedonia|North Macedonian;Macedonian|Macedonians|Skopje
MLI|Mali||Malian|Malians|Bamako
MLT|Malta||Maltese|Maltese|Valletta
MMR|Myanmar|Burma|Burmese;Myanmar|Burmese|Naypyidaw;Nay Pyi Taw;Naypyitaw
MNE|Montenegro||Montenegrin|Montenegrins|Podgorica
MNG|Mongolia||Mongolian|Mongolians|Ulaanbaatar;Ulan Bator
MNP|Northern Mariana Islands||||
MOZ|Mozambique||Mozambican|Mozambicans|Maputo
MRT|Mauritania||Mauritanian|Mauritanians|Nouakchott
MSR|Montserrat||||
MTQ|Martinique||||
MUS|Mauritius||Mauritian|Mauritians|Port Louis
MWI|Malawi||Malawian|Malawians|Lilongwe
MYS|Malaysia||Malaysian|Malaysians|Kuala Lumpur;Putrajaya
MYT|Mayotte||||
NAM|Namibia||Namibian|Namibians|Windhoek
NCL|New Caledonia||New Caledonian|New Caledonians|
NER|Niger||Nigerien|Nigeriens|Niamey
NFK|Norfolk Island||||
NGA|Nigeria||Nigerian|Nigerians|Abuja
NIC|Nicaragua||Nicaraguan|Nicaraguans|Managua
NIU|Niue||||
NLD|Netherlands|Holland|Dutch|Dutch|Amsterdam
NOR|Norway||Norwegian|Norwegians|Oslo
NPL|Nepal||Nepali;Nepalese|Nepalis|Kathmandu
NRU|Nauru||Nauruan|Nauruans|
NZL|New Zealand||New Zealand|New Zealanders|Wellington
OMN|Oman||Omani|Omanis|Muscat
PAK|Pakistan||Pakistani|Pakistanis|Islamabad
PAN|Panama||Panamanian|Panamanians|Panama City
PCN|Pitcairn|Pitcairn Islands|||
PER|Peru||Peruvian|Peruvians|Lima
PHL|Philippines|the Philippines|Philippine;Filipino|Filipinos|Manila;Malacañang;Malacanang
PLW|Palau||Palauan|Palauans|
PNG|Papua New Guinea|PNG|Papua New Guinean|Papua New Guineans|Port Moresby
POL|Poland||Polish|Poles|Warsaw
PRI|Puerto Rico||Puerto Rican|Puerto Ricans|
PRK|North Korea|Democratic People's Republic of Korea;DPRK|North Korean|North Koreans|Pyongyang
PRT|Portugal||Portuguese|Portuguese|Lisbon
PRY|Paraguay||Paraguayan|Paraguayans|Asuncion;Asunción
PSE|Palestine|State of Palestine;Palestinian territories;occupied Palestinian territories;Occupied Palestinian Territory|Palestinian|Palestinians;Gazans|Ramallah
PYF|French Polynesia||||
QAT|Qatar||Qatari|Qataris|Doha
REU|Réunion|Reunion|||
ROU|Romania||Romanian|Romanians|Bucharest
RUS|Russia|Russian Federation|Russian|Russians|Moscow;Kremlin
RWA|Rwanda||Rwandan|Rwandans|Kigali
SAU|Saudi Arabia|Kingdom of Saudi Arabia;KSA|Saudi|Saudis|Riyadh
SDN|Sudan||Sudanese|Sudanese|Khartoum;Port Sudan
SEN|Senegal||Senegalese|Senegalese|Dakar
SGP|Singapore||Singaporean|Singaporeans|
SGS|South Georgia and the South Sandwich Islands|South Georgia|||
SHN|Saint Helena|Saint Helena, Ascension and Tristan da Cunha|||
SJM|Svalbard and Jan Mayen|Svalbard|||
SLB|Solomon Islands||Solomon Islander|Solomon Islanders|Honiara
SLE|Sierra Leone||Sierra Leonean|Sierra Leoneans|Freetown
SLV|El Salvador||Salvadoran;Salvadorean|Salvadorans;Salvadoreans|San Salvador
SMR|San Marino||Sammarinese|Sammarinese|
SOM|Somalia||Somali|Somalis|Mogadishu
SPM|Saint Pierre and Miquelon||||
SRB|Serbia||Serbian;Serb|Serbians;Serbs|Belgrade
SSD|South Sudan||South Sudanese|South Sudanese|Juba
STP|Sao Tome and Principe|São Tomé and Príncipe|Santomean|Santomeans|
SUR|Suriname||Surinamese|Surinamese|Paramaribo
SVK|Slovakia|Slovak Republic|Slovak|Slovaks|Bratislava
SVN|Slovenia||Slovenian;Slovene|Slovenians;Slovenes|Ljubljana
SWE|Sweden||Swedish|Swedes|Stockholm
SWZ|Eswatini|Swaziland|Swazi|Swazis|Mbabane
SXM|Sint Maarten||||
SYC|Seychelles||Seychellois|Seychellois|
SYR|Syria|Syrian Arab Republic|Syrian|Syrians|Damascus
TCA|Turks and Caicos Islands||||
TCD|Chad||Chadian|Chadians|N'Djamena;Ndjamena
TGO|Togo||Togolese|Togolese|Lome;Lomé
THA|Thailand||Thai|Thais|Bangkok
TJK|Tajikistan||Tajik;Tajikistani|Tajiks|Dushanbe
TKL|Tokelau||||
TKM|Turkmenistan||Turkmen|Turkmens|Ashgabat
TLS|Timor-Leste|East Timor|Timorese;East Timorese|Timorese|Dili
TON|Tonga||Tongan|Tongans|Nuku'alofa
TTO|Trinidad and Tobago|Trinidad|Trinidadian|Trinidadians|Port of Spain
TUN|Tunisia||Tunisian|Tunisians|Tunis
TUR|Turkey|Türkiye;Turkiye|Turkish|Turks|Ankara
TUV|Tuvalu||Tuvaluan|Tuvaluans|Funafuti
TWN|Taiwan|Republic of China|Taiwanese|Taiwanese|Taipei
TZA|Tanzania|United Republic of Tanzania|Tanzanian|Tanzanians|Dodoma;Dar es Salaam
UGA|Uganda||Ugandan|Ugandans|Kampala
UKR|Ukraine|the Ukraine|Ukrainian|Ukrainians|Kyiv;Kiev
UMI|United States Minor Outlying Islands||||
URY|Uruguay||Uruguayan|Uruguayans|Montevideo
USA|United States|United States of America;US;U.S.;USA;U.S.A.;America|American;US;U.S.|Americans|Washington;White House
UZB|Uzbekistan||Uzbek|Uzbeks|Tashkent
VAT|Holy See|Vatican;Vatican City|Vatican||
VCT|Saint Vincent and the Grenadines|St Vincent and the Grenadines|Vincentian|Vincentians|Kingstown
VEN|Venezuela||Venezuelan|Venezuelans|Caracas;Miraflores
VGB|British Virgin Islands||||
VIR|United States Virgin Islands|US Virgin Islands|||
VNM|Vietnam|Viet Nam|Vietnamese|Vietnamese|Hanoi
VUT|Vanuatu||Ni-Vanuatu||Port Vila
WLF|Wallis and Futuna||||
WSM|Samoa||Samoan|Samoans|Apia
YEM|Yemen||Yemeni|Yemenis|Sanaa;Sana'a
ZAF|South Africa||South African|South Africans|Pretoria
ZMB|Zambia||Zambian|Zambians|Lusaka
ZWE|Zimbabwe||Zimbabwean|Zimbabweans|Harare
XKX|Kosovo||Kosovar;Kosovan|Kosovars|Pristina;Prishtina
"""

# Codes outside ISO 3166-1 that news coding uses: XKX is the user-assigned code for
# Kosovo used by the EU and others; pycountry does not list it.
EXTRA_CODES = {"XKX": "Kosovo"}

# pycountry names that news text uses for another country: bare "Congo" nearly always
# means the Democratic Republic of the Congo.
NOT_FROM_PYCOUNTRY = {("COG", "Congo")}

HEADER = """\
# countries.tsv - every ISO 3166-1 country (from pycountry) plus XKX (Kosovo), with the
# names, adjectives, plural demonyms and seats of government that news text uses for it.
# Written for the newsgraph project; generated by newsgraph/knowledge/build_countries.py
# from pycountry and the project's own forms (edit the script, not this file).
# Columns: code (ISO 3166-1 alpha-3), alpha2, name (display), names (every name,
# ";"-separated), adjectives, demonyms (plural), seats (capitals or seats of
# government used for the government: "Tehran said", "the Kremlin").
"""


def _split(field: str) -> list[str]:
    return [item.strip() for item in field.split(";") if item.strip()]


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def build_rows() -> list[list[str]]:
    """Return the countries.tsv rows (without header), sorted by code.

    Raises:
        ValueError: when :data:`FORMS` and pycountry disagree (a missing or unknown code).
    """
    forms: dict[str, list[str]] = {}
    for line in FORMS.strip().splitlines():
        parts = line.split("|")
        if len(parts) != 6:
            raise ValueError(f"FORMS line needs 6 fields: {line!r}")
        forms[parts[0]] = parts
    iso = {country.alpha_3: country for country in pycountry.countries}
    missing = sorted(set(iso) - set(forms))
    unknown = sorted(set(forms) - set(iso) - set(EXTRA_CODES))
    if missing or unknown:
        raise ValueError(f"FORMS out of step with pycountry: missing {missing}, unknown {unknown}")
    rows = []
    for code in sorted(forms):
        _, display, names, adjectives, demonyms, seats = forms[code]
        pyc = iso.get(code)
        official = []
        alpha2 = ""
        if pyc is not None:
            alpha2 = pyc.alpha_2
            for attribute in ("name", "common_name", "official_name"):
                value = getattr(pyc, attribute, None)
                # "Iran, Islamic Republic of" is a catalogue form, not a name in text
                if value and "," not in value and (code, value) not in NOT_FROM_PYCOUNTRY:
                    official.append(value.removeprefix("the "))
        all_names = _unique([display, *_split(names), *official])
        rows.append(
            [
                code,
                alpha2,
                display,
                ";".join(all_names),
                ";".join(_unique(_split(adjectives))),
                ";".join(_unique(_split(demonyms))),
                ";".join(_unique(_split(seats))),
            ]
        )
    return rows


def main() -> int:
    """Write countries.tsv next to this script."""
    rows = build_rows()
    columns = ["code", "alpha2", "name", "names", "adjectives", "demonyms", "seats"]
    lines = [HEADER + "\t".join(columns)] + ["\t".join(row) for row in rows]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} countries to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
