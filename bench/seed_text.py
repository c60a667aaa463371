"""Multilingual text for the benchmark seeder: sentences about the platform's topics (Italian L2
courses, school orientation, mediation, housing, documents, sport, volunteering…) built from
templates and word lists, Italian mostly, plus Arabic, English, French, Romanian, Bengali,
Chinese, Albanian, Ukrainian and Spanish. Never lorem ipsum.

Everything is drawn from the ``random.Random`` passed in, so the same seed gives the same text.
The text holds no Markdown marks, links or HTML-special characters, so ``html_of`` gives exactly
what ``app.sanitize.rich_text`` would store (checked by tests/services/test_bench_seed.py).

Search words: ``RARE_WORD`` appears nowhere in the vocabulary below; the seeder writes
``RARE_SENTENCE`` into exactly ``RARE_DOCUMENTS`` public documents. ``COMMON_WORD`` is in most
Italian templates, so it is found in a large share of the documents.
"""

from __future__ import annotations

import random
import re

RARE_WORD = "pizzica"  # the traditional dance of Salento; no template uses it
RARE_SENTENCE = "Dopo l'incontro ci sarà un laboratorio di pizzica salentina aperto a tutte le famiglie."
RARE_DOCUMENTS = 5
COMMON_WORD = "italiano"

# Document languages and how often people write in them.
LANGUAGES = ("it", "ar", "en", "fr", "ro", "bn", "zh", "sq", "uk", "es")
LANGUAGE_WEIGHTS = (62, 7, 6, 5, 5, 3, 3, 3, 3, 3)

IT_TOPICS = (
    "il corso di italiano L2", "il corso serale di italiano", "l'orientamento scolastico", "la mediazione linguistica",
    "lo sportello casa", "il rinnovo del permesso di soggiorno", "la residenza anagrafica", "il torneo di calcio",
    "il doposcuola tra pari", "il volontariato giovanile", "lo sportello lavoro", "la scuola di italiano per mamme",
    "l'iscrizione alle superiori", "il riconoscimento dei titoli di studio", "la tessera sanitaria",
    "il corso di cucina interculturale", "la biblioteca di quartiere", "il cineforum in lingua originale",
    "la festa dei popoli", "il gruppo di lettura in italiano", "lo sportello famiglie", "il servizio civile",
)
IT_GROUPS = (
    "le famiglie appena arrivate", "i ragazzi delle medie", "le donne del quartiere", "i giovani di seconda generazione",
    "gli studenti delle superiori", "i genitori", "gli operatori dei servizi", "le associazioni del territorio",
    "i volontari", "gli insegnanti", "i mediatori culturali", "gli anziani del quartiere",
)
IT_DAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
IT_TEMPLATES = (
    "Qualcuno sa se {topic} a {place} riprende anche quest'anno?",
    "Segnalo che {topic} si tiene ogni {day} dalle {hour} alle {end}.",
    "Per {group} serve un corso di italiano con orari più flessibili.",
    "A {place} {topic} funziona bene, ma i posti non bastano per {group}.",
    "Grazie per le informazioni, ci vediamo {day} prossimo.",
    "Abbiamo parlato con il Comune di {place}: {topic} sarà gratuito per {group}.",
    "Cerchiamo volontari che parlino italiano e arabo per {topic}.",
    "Le iscrizioni per {topic} chiudono il {dom} del mese, portate un documento di identità.",
    "Io ho partecipato lo scorso anno: {topic} mi ha aiutato molto a migliorare il mio italiano.",
    "Propongo di organizzare {topic} anche nella sede della biblioteca di {place}.",
    "Per {group} sarebbe utile una mediatrice durante i colloqui con la scuola.",
    "La sala al piano terra è accessibile e c'è uno spazio bimbi durante la lezione.",
    "Il {day} pomeriggio lo sportello risponde anche in inglese e francese.",
    "Chi ha bisogno di aiuto con i moduli può scrivere qui, rispondiamo appena possibile.",
    "Servono più ore di italiano per {group}, soprattutto il {day} sera.",
    "Abbiamo raccolto le firme per chiedere {topic} nel quartiere.",
    "Il centro per l'istruzione degli adulti di {place} offre corsi dal livello A1 al B1.",
    "Alla riunione di {day} hanno partecipato trenta persone, tra cui molti giovani.",
    "Le scuole di {place} cercano genitori disponibili per accogliere {group}.",
    "Ricordo che il servizio è gratuito e non serve la residenza per iscriversi.",
)
IT_TITLES = (
    "{Topic} a {place}: orari e iscrizioni",
    "Informazioni su {topic}",
    "{Topic}: cerchiamo volontari",
    "Proposta per {group} a {place}",
    "{Topic} per {group}",
    "Domanda su {topic} a {place}",
    "Nuovi orari per {topic}",
    "Esperienze con {topic}",
)

OTHER_SENTENCES: dict[str, tuple[str, ...]] = {
    "ar": (
        "هل يعرف أحد مواعيد دورة اللغة الإيطالية في {place}؟",
        "نبحث عن متطوعين يتحدثون العربية والإيطالية لمساعدة العائلات الجديدة.",
        "مكتب الوساطة الثقافية مفتوح يوم السبت صباحا.",
        "شكرا جزيلا على المعلومات، سنكون هناك يوم الخميس.",
        "نحتاج إلى مساعدة في تجديد تصريح الإقامة وتسجيل الأطفال في المدرسة.",
        "الدورة مجانية ولا تحتاج إلى وثيقة الإقامة للتسجيل.",
    ),
    "en": (
        "Does anyone know when the Italian course in {place} starts again?",
        "We are looking for volunteers to help newly arrived families with school enrolment.",
        "The housing desk is open on Tuesday afternoons, no appointment needed.",
        "Thank you for the information, see you on Thursday.",
        "The mediation service now also covers the hospital in {place}.",
        "Our youth group organises football matches every Sunday morning.",
    ),
    "fr": (
        "Est-ce que quelqu'un sait quand recommence le cours d'italien à {place} ?",
        "Nous cherchons des bénévoles pour aider les familles avec les inscriptions scolaires.",
        "La permanence pour le logement est ouverte le samedi matin.",
        "Merci pour l'information, on se voit jeudi prochain.",
        "La médiation culturelle est gratuite pour toutes les familles.",
        "Notre association organise une fête de quartier au mois de mai.",
    ),
    "ro": (
        "Știe cineva când începe din nou cursul de italiană în {place}?",
        "Căutăm voluntari care să ajute familiile nou sosite cu documentele.",
        "Ghișeul pentru locuințe este deschis marți după-amiază.",
        "Mulțumesc pentru informații, ne vedem joi.",
        "Organizăm cursuri de limba română pentru copii în fiecare sâmbătă.",
        "Serviciul de mediere culturală este gratuit pentru toate familiile.",
    ),
    "bn": (
        "{place} শহরে ইতালীয় ভাষার কোর্স কবে আবার শুরু হবে কেউ জানেন?",
        "নতুন পরিবারগুলোকে স্কুলে ভর্তির জন্য সাহায্য করতে আমরা স্বেচ্ছাসেবক খুঁজছি।",
        "বাসস্থান সহায়তা কেন্দ্র মঙ্গলবার বিকেলে খোলা থাকে।",
        "তথ্যের জন্য ধন্যবাদ, বৃহস্পতিবার দেখা হবে।",
        "আমাদের যুব দল প্রতি রবিবার সকালে ফুটবল খেলার আয়োজন করে।",
    ),
    "zh": (
        "有人知道{place}的意大利语课程什么时候重新开始吗？",
        "我们正在寻找志愿者帮助新来的家庭办理入学手续。",
        "住房咨询窗口每周二下午开放，无需预约。",
        "谢谢你的信息，我们星期四见。",
        "医院的中文翻译服务现在下午也提供。",
    ),
    "sq": (
        "A e di dikush kur fillon përsëri kursi i italishtes në {place}?",
        "Kërkojmë vullnetarë për të ndihmuar familjet e sapoardhura me dokumentet.",
        "Sporteli për strehimin është i hapur të shtunën në mëngjes.",
        "Faleminderit për informacionin, shihemi të enjten.",
        "Shoqata jonë organizon ndeshje futbolli për të rinjtë çdo të diel.",
    ),
    "uk": (
        "Хтось знає, коли знову починаються курси італійської мови в {place}?",
        "Шукаємо волонтерів, щоб допомогти новоприбулим родинам з документами.",
        "Житлова консультація працює у вівторок після обіду.",
        "Дякую за інформацію, побачимося в четвер.",
        "Ми організовуємо взаємодопомогу для українських жінок і дітей.",
    ),
    "es": (
        "¿Alguien sabe cuándo empieza otra vez el curso de italiano en {place}?",
        "Buscamos voluntarios para ayudar a las familias recién llegadas con la matrícula escolar.",
        "La oficina de vivienda abre los martes por la tarde, sin cita previa.",
        "Gracias por la información, nos vemos el jueves.",
        "La mediación cultural es gratuita para todas las familias.",
    ),
}
OTHER_TITLES: dict[str, tuple[str, ...]] = {
    "ar": ("دورة اللغة الإيطالية في {place}", "مساعدة في الوثائق", "لقاء العائلات في {place}"),
    "en": ("Italian course in {place}", "Help with documents", "Youth football in {place}"),
    "fr": ("Cours d'italien à {place}", "Aide pour les documents", "Fête de quartier à {place}"),
    "ro": ("Curs de italiană în {place}", "Ajutor cu documentele", "Întâlnire la {place}"),
    "bn": ("{place} শহরে ইতালীয় ভাষা কোর্স", "কাগজপত্রে সাহায্য"),
    "zh": ("{place}的意大利语课程", "办理证件的帮助"),
    "sq": ("Kursi i italishtes në {place}", "Ndihmë me dokumentet"),
    "uk": ("Курси італійської в {place}", "Допомога з документами"),
    "es": ("Curso de italiano en {place}", "Ayuda con los documentos"),
}

ORG_PREFIXES = {
    "migrant_association": ("Associazione", "Comunità", "Associazione culturale", "Rete"),
    "youth_association": ("Giovani", "Seconde Generazioni", "Ragazzi"),
    "informal_group": ("Gruppo", "Mamme", "Donne"),
    "third_sector": ("Cooperativa Sociale", "Fondazione", "Centro di volontariato"),
}
ORG_PEOPLE = (
    "Senegalesi", "Marocchini", "Albanesi", "Romeni", "Ucraini", "Bengalesi", "Cinesi", "Peruviani", "Filippini",
    "Nigeriani", "Tunisini", "Egiziani", "Pakistani", "Ecuadoriani", "Moldavi", "Ivoriani", "Ghanesi", "Srilankesi",
)
ORG_NAMES = ("Il Ponte", "Mosaico", "Terra Comune", "Insieme", "La Bussola", "Arcobaleno", "Mille Voci", "Radici",
             "Nuovi Orizzonti", "Piazza Aperta", "Il Cerchio", "Passaparola", "Crocevia", "La Tenda")
SCHOOL_NAMES = ("Istituto Comprensivo", "Scuola secondaria di primo grado", "Istituto di istruzione superiore", "CPIA")
ORG_DESCRIPTIONS = (
    "Dal {year} aiutiamo {group} di {place}: sportello, corsi di italiano e mediazione con le scuole.",
    "Organizziamo attività sportive e culturali per {group}, con volontari di molte lingue.",
    "Offriamo orientamento su casa, lavoro e documenti, in italiano e nelle lingue delle comunità.",
    "Collaboriamo con il Comune di {place} e con le scuole del territorio per l'accoglienza.",
)
EVENT_TITLES = (
    "{Topic}: incontro aperto a {place}", "Assemblea del forum di {place}", "Giornata di formazione su {topic}",
    "Festa dei popoli a {place}", "Sportello informativo: {topic}", "Laboratorio di peer education a {place}",
    "Incontro online su {topic}", "{Topic} per {group}",
)
VENUES = ("Biblioteca comunale", "Sala civica", "Centro giovani", "Casa delle associazioni", "Scuola media Dante Alighieri",
          "Oratorio di quartiere", "Palestra comunale", "Centro per l'istruzione degli adulti", "Spazio comune di via Roma")
LAB_TITLES = ("Laboratorio di comunità di {place}", "Percorso partecipato: {topic}", "Bilancio partecipativo giovani di {place}",
              "Tavolo per l'accoglienza a {place}")
PROPOSAL_TITLES = (
    "Più ore di {topic} a {place}", "Uno sportello per {group}", "{Topic} anche il sabato",
    "Mediatori nelle scuole di {place}", "Spazio studio per {group}", "{Topic} gratuito per {group}",
)
INITIATIVE_TITLES = ("{Topic} a {place}", "Progetto ponte per {group}", "Scuola aperta: {topic}",
                     "Insieme a {place}: {topic}")
RESPONSE_TEXTS = (
    "Il Comune ha esaminato la proposta e la ritiene utile. Sarà inserita nel piano delle attività del prossimo anno.",
    "La proposta è accolta in parte: possiamo aumentare le ore del corso, non ancora aprire il sabato.",
    "Non è possibile accogliere la proposta per mancanza di fondi, ma ne terremo conto nel prossimo bando.",
    "Stiamo valutando la proposta con le scuole e le associazioni del territorio.",
)


_SLOTS = ("topic", "Topic", "place", "group", "day", "hour", "end", "dom", "year")


def _slots(template: str) -> tuple[str, ...]:
    return tuple(slot for slot in _SLOTS if "{" + slot + "}" in template)


class TextMaker:
    """Draws sentences, paragraphs and titles from one ``random.Random`` (only ``random()``, the
    cheapest draw: the seeder writes millions of sentences)."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random
        self._slots: dict[str, tuple[str, ...]] = {}

    def pick(self, items: tuple[str, ...] | list[str]) -> str:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def language(self) -> str:
        x = self.random() * _WEIGHT_TOTAL
        for language, bound in _LANGUAGE_BOUNDS:
            if x < bound:
                return language
        return LANGUAGES[0]

    def fill(self, template: str, place: str) -> str:
        slots = self._slots.get(template)
        if slots is None:
            slots = self._slots[template] = _slots(template)
        values: dict[str, object] = {}
        for slot in slots:
            if slot in ("topic", "Topic") and "topic" not in values:
                topic = self.pick(IT_TOPICS)
                values["topic"], values["Topic"] = topic, topic[0].upper() + topic[1:]
            elif slot == "place":
                values["place"] = place
            elif slot == "group":
                values["group"] = self.pick(IT_GROUPS)
            elif slot == "day":
                values["day"] = self.pick(IT_DAYS)
            elif slot in ("hour", "end") and "hour" not in values:
                hour = self.between(9, 19)
                values["hour"], values["end"] = f"{hour}:00", f"{hour + 2}:00"
            elif slot == "dom":
                values["dom"] = self.between(2, 28)
            elif slot == "year":
                values["year"] = self.between(1995, 2022)
        return template.format_map(values)

    def sentence(self, language: str, place: str) -> str:
        if language == "it":
            return self.fill(self.pick(IT_TEMPLATES), place)
        return self.pick(OTHER_SENTENCES[language]).replace("{place}", place)

    def paragraphs(self, language: str, place: str, sentences: tuple[int, int] = (1, 3), count: tuple[int, int] = (1, 2)) -> list[str]:
        return [" ".join(self.sentence(language, place) for _ in range(self.between(*sentences))) for _ in range(self.between(*count))]

    def title(self, language: str, place: str, templates: tuple[str, ...] = IT_TITLES) -> str:
        if language == "it":
            return self.fill(self.pick(templates), place)[:160]
        return self.pick(OTHER_TITLES[language]).replace("{place}", place)[:160]

    def italian(self, templates: tuple[str, ...], place: str) -> str:
        return self.fill(self.pick(templates), place)


_LANGUAGE_BOUNDS: list[tuple[str, float]] = []
for _language, _weight in zip(LANGUAGES, LANGUAGE_WEIGHTS, strict=True):
    _LANGUAGE_BOUNDS.append((_language, (_LANGUAGE_BOUNDS[-1][1] if _LANGUAGE_BOUNDS else 0) + _weight))
_WEIGHT_TOTAL = _LANGUAGE_BOUNDS[-1][1]
_BREAK_AFTER = frozenset(".!?:;,…·")
_BREAKS = re.compile(r"(\n+)")


def index_text(text: str) -> str:
    """``search_index.clean`` for this module's text (NFC, no Arabic marks, no Markdown marks), at a
    fraction of its cost: a single line break after a stop becomes a space, any other break (a new
    paragraph, a line without a stop) " · "; runs of spaces become one. The tests compare it with
    ``clean`` on every document."""
    out = ""
    pieces = _BREAKS.split(text)
    for n in range(0, len(pieces), 2):
        line = " ".join(pieces[n].split())
        if not line:
            continue
        if out:
            single_after_stop = len(pieces[n - 1]) == 1 and out[-1] in _BREAK_AFTER
            out = f"{out}{' ' if single_after_stop else ' · '}{line}"
        else:
            out = line
    return out


def body_of(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def html_of(paragraphs: list[str]) -> str:
    """What ``rich_text`` stores for plain paragraphs (no Markdown marks, no links)."""
    return "".join(f'<p dir="auto">{_escape(p)}</p>\n' for p in paragraphs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
