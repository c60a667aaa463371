"""Demo events: about two months of life in the five regions, around today.

Weekly Italian classes (one date cancelled, one moved), training days for service operators,
peer-education labs at a school, association assemblies, information sessions with
interpreters, festivals in a square, a regional forum meeting, online and hybrid meetings,
and the public meetings of the demo labs. Registrations show a full session with a waiting
list, requests awaiting approval, co-organisers (accepted and invited) and past dates with
attendance marked.

Everything goes through the real services, so counters, queues and notifications are those
the services keep. Registering needs a date in the future: an event with dates already past
is published a few weeks later, filled, then moved back to its real dates (in Rome wall
time), and attendance is marked afterwards. Dates are placed relative to today, so the
calendar always looks alive; public holidays and the schools' Christmas break are respected.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from dateutil.easter import easter
from sqlalchemy import func, select, update

from app.db import db
from app.exceptions import ValidationFailed
from app.services import accounts, events, forums, labs, memberships, registrations, territories
from app.services.demo_labs import (
    BARI,
    BOLOGNA,
    BOLOGNA_LAB,
    CPIA_BO,
    GIOVANI,
    IC_PE,
    MILANO,
    MILANO_LAB,
    MOSAICO,
    PESCARA,
    PESCARA_LAB,
    PRATO,
    RESIDENTS,
    TERANGA,
    TOSCANA,
    TOSCANA_LAB,
    YOUTH_LAB,
    resident_email,
)
from app.services.demo_labs import BARI_LAB as BARI_LAB_SPEC
from models import (
    Event,
    EventOrganizer,
    EventSession,
    Lab,
    Notification,
    Organization,
    OrgKind,
    Registration,
    RegistrationStatus,
    SessionStatus,
    User,
)
from models.base import utcnow

ADMIN_EMAIL = "admin@ponte.demo"
DONNE_UCRAINE = "Donne Ucraine a Bologna"
ALBANESI = "Comunità Albanese d'Abruzzo"
ROMENI = "Asociația Românilor din Toscana"
PAK = "Pak Welfare Brescia"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

r = resident_email  # a resident of the demo labs, by name
T = TypeVar("T")


@dataclass(frozen=True)
class DemoEvent:
    org: str  # the lead organisation
    by: str  # who publishes it (an admin, official or staff member of ``org``)
    title: str
    description: str
    kind: str
    place: str  # ISTAT code of the comune (or region)
    week: int = 0  # weeks from the Monday of this week ...
    weekday: int = MON
    after: int | None = None  # ... or: the first such weekday at least this many days from today
    start: str = ""  # Rome wall time; empty for all-day events
    end: str = ""
    weeks: int = 1  # sessions of a weekly series
    venue: str = ""
    address: str = ""
    language: str = "it"
    action: str = ""
    mode: str = "in_person"
    online_url: str = ""
    registrants_only: bool = False
    step_free: bool | None = None
    childcare: bool = False
    interpretation: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("it",)
    notes: str = ""
    registration: str = "closed"
    capacity: int | None = None
    lab: str = ""  # title of a demo lab
    forum: tuple[str, str] | None = None  # (region ISTAT code, action) of a regional forum
    partners: tuple[tuple[str, bool], ...] = ()  # co-organisers: (organisation, accepted); False: still invited
    translations: tuple[tuple[str, str, str], ...] = ()  # (language, title, description)
    people: tuple[str, ...] = ()  # e-mails, in the order they register (for every date of a series)
    crowd: int = 0  # then this many residents of ``place``, in the demo labs' order
    late: tuple[str, ...] = ()  # then these
    cancel: tuple[str, ...] = ()  # who gives their place back afterwards
    approve: tuple[str, ...] = ()  # approval events: requests the organisers approve ...
    decline: tuple[str, ...] = ()  # ... and decline; the others stay pending
    cancel_date: str = ""  # reason: the organisers cancel the next date of the series
    move_date: str = ""  # note: they move the date after it to the following day


# ---------------------------------------------------------------- Emilia-Romagna

CPIA_COURSE = DemoEvent(
    CPIA_BO, "paolo.ricci@ponte.demo", "Italiano A1 per mamme, con spazio bimbi",
    "Corso di italiano di base per mamme e papà con bambini piccoli, ogni mercoledì mattina al CPIA.\n\n"
    "- due ore di lezione, dalle 9:30 alle 11:30\n"
    "- nell'aula accanto un'educatrice e una volontaria di Donne Ucraine a Bologna giocano con i bambini da 1 a 5 anni\n"
    "- libro e quaderno li dà la scuola\n\n"
    "Ci si iscrive a tutto il corso; chi perde una lezione può recuperarla il venerdì pomeriggio con il gruppo A1.",
    "italian_l2", "037006", week=-3, weekday=WED, start="09:30", end="11:30", weeks=10,
    venue="CPIA Metropolitano di Bologna – sede Navile, aula 4", address="Via di Corticella 180, 40128 Bologna",
    action="action_01", step_free=True, childcare=True, languages=("it",),
    notes="Ingresso senza gradini dal cortile; ascensore per l'aula 4 al primo piano; bagno accessibile e fasciatoio al piano terra.",
    registration="open", capacity=18, partners=((DONNE_UCRAINE, True),),
    translations=(
        ("uk", "Італійська A1 для мам, з дитячою кімнатою",
         "Базовий курс італійської для мам і тат з маленькими дітьми, щосереди зранку в CPIA.\n\n"
         "- дві години уроку, з 9:30 до 11:30\n"
         "- у сусідній кімнаті вихователька і волонтерка з «Donne Ucraine a Bologna» граються з дітьми від 1 до 5 років\n"
         "- підручник і зошит дає школа\n\n"
         "Записуються на весь курс; хто пропустив урок, може відпрацювати його в п'ятницю після обіду з групою A1."),
        ("ar", "اللغة الإيطالية A1 للأمهات، مع مساحة للأطفال",
         "دورة أساسية في اللغة الإيطالية للأمهات والآباء الذين لديهم أطفال صغار، كل أربعاء صباحًا في مركز CPIA.\n\n"
         "- ساعتان من الدرس، من 9:30 إلى 11:30\n"
         "- في الغرفة المجاورة مربية ومتطوعة تلعبان مع الأطفال من سنة إلى 5 سنوات\n"
         "- الكتاب والدفتر تقدمهما المدرسة\n\n"
         "التسجيل للدورة كاملة؛ من فاته درس يمكنه تعويضه يوم الجمعة بعد الظهر مع مجموعة A1."),
        ("en", "Italian A1 for mothers, with a children's corner",
         "A basic Italian course for mothers and fathers of young children, every Wednesday morning at the CPIA.\n\n"
         "- two hours of lessons, from 9:30 to 11:30\n"
         "- in the room next door, an educator and a volunteer from Donne Ucraine a Bologna play with children aged 1 to 5\n"
         "- the school gives you the book and the exercise book\n\n"
         "You register for the whole course; if you miss a lesson, you can make it up on Friday afternoon with the A1 group."),
    ),
    people=("olena@ponte.demo", r("Oksana Melnyk"), r("Nadia El Amrani"), r("Iryna Shevchenko"), r("Fatima Zahra Idrissi"),
            r("Nasrin Akter"), r("Yasmine Bouzid"), r("Karim Benali")),
    cancel_date="Assemblea sindacale del personale della scuola: la lezione di oggi non si tiene. Ci vediamo la settimana prossima.",
    move_date="Questa settimana la lezione è il giovedì, stessa ora e stessa aula: il mercoledì l'aula serve per gli esami di licenza media.",
)

EMILIA = (
    CPIA_COURSE,
    DemoEvent(
        CPIA_BO, "paolo.ricci@ponte.demo", "Test di livello e iscrizioni ai nuovi corsi di italiano",
        "Un pomeriggio per iscriversi ai corsi di italiano L2 che cominciano il mese prossimo, dal pre-A1 al B1.\n\n"
        "Facciamo un breve test orale e scritto per trovare il corso giusto, poi scegliete giorni e orari. "
        "Portate un documento d'identità e, se l'avete, il permesso di soggiorno o la ricevuta della richiesta.\n\n"
        "Ci sono mediatrici e mediatori in arabo, ucraino, inglese e cinese. Non serve prenotare.",
        "info_session", "037006", week=5, weekday=MON, start="14:30", end="18:00",
        venue="CPIA Metropolitano di Bologna – sede Navile, atrio e aule 1–3", address="Via di Corticella 180, 40128 Bologna",
        action="action_01", step_free=True, interpretation=("ar", "en", "uk", "zh"), languages=("it", "ar", "en", "uk", "zh"),
        notes="Ingresso senza gradini dal cortile; tutte le aule del test sono al piano terra.",
    ),
    DemoEvent(
        DONNE_UCRAINE, "olena@ponte.demo", "Установчі збори: стаємо асоціацією",
        "Ми, українські жінки в Болоньї, вже два роки допомагаємо одна одній: курси італійської, пошук роботи, документи. "
        "Тепер хочемо стати асоціацією соціального сприяння (APS), щоб працювати разом зі школами та Комуною.\n\n"
        "**Порядок денний**\n\n- статут асоціації: читаємо разом\n- вибори правління\n- членський внесок і плани на рік\n\n"
        "Буде кімната для дітей з волонтеркою. Запрошуємо всіх, хто хоче долучитися.",
        "assembly", "037006", week=2, weekday=SAT, start="11:00", end="13:00", language="uk",
        venue="Casa di Quartiere Scipione dal Ferro, sala grande", address="Via Sante Vincenzi 50, 40138 Bologna",
        action="action_04", step_free=True, childcare=True, languages=("uk", "ru", "it"),
        notes="Sala al piano terra, ingresso senza gradini. Nella stanza accanto una volontaria sta con i bambini.",
        registration="open",
        translations=(
            ("it", "Assemblea costitutiva: diventiamo un'associazione",
             "Da due anni noi donne ucraine di Bologna ci aiutiamo a vicenda: corsi di italiano, ricerca di lavoro, documenti. "
             "Ora vogliamo diventare un'associazione di promozione sociale (APS), per lavorare insieme alle scuole e al Comune.\n\n"
             "**Ordine del giorno**\n\n- lo statuto: lo leggiamo insieme\n- elezione del consiglio direttivo\n"
             "- quota associativa e programma dell'anno\n\n"
             "C'è una stanza per i bambini con una volontaria. Sono benvenute tutte le persone che vogliono partecipare."),
            ("en", "Founding assembly: we are becoming an association",
             "For two years we Ukrainian women in Bologna have helped each other: Italian courses, job search, documents. "
             "Now we want to become a social promotion association (APS), to work with schools and the Comune.\n\n"
             "**Agenda**\n\n- the statute: we read it together\n- election of the board\n- membership fee and plans for the year\n\n"
             "There is a room for children with a volunteer. Everyone who wants to take part is welcome."),
        ),
        people=(r("Oksana Melnyk"), r("Iryna Shevchenko"), r("Dmytro Bondarenko"), r("Mihaela Ionescu"), r("Alessia Cavina")),
    ),
    DemoEvent(
        BOLOGNA, "elena.bassi@ponte.demo", "Community Lab Passaggi: primo incontro di discussione",
        "Il primo dei tre incontri di discussione del Community Lab sul passaggio dalla scuola media alle superiori.\n\n"
        "Leggiamo insieme le proposte che hanno raccolto più sostegni, con chi le ha scritte, insegnanti, famiglie e uffici "
        "del Comune: che cosa serve, chi lo può fare, quanto costa. Le osservazioni finiscono nei commenti di ogni proposta, "
        "prima del voto.\n\nMediatrici in arabo, ucraino e urdu. Ci si può iscrivere per aiutarci a preparare la sala.",
        "workshop", "037006", weekday=TUE, after=19, start="17:30", end="19:30",
        venue="Biblioteca Lame «Cesare Malservisi», sala ragazzi", address="Via Marco Polo 21/13, 40131 Bologna",
        action="action_01", step_free=True, interpretation=("ar", "uk", "ur"), languages=("it", "ar", "uk", "ur"),
        notes="Biblioteca al piano terra, ingresso con rampa; bagno accessibile.",
        registration="open", capacity=40, lab=BOLOGNA_LAB.title,
        people=("paolo.ricci@ponte.demo", "olena@ponte.demo", r("Giorgia Mazzoni"), r("Nadia El Amrani"), r("Tariq Mahmood"),
                r("Iryna Shevchenko"), r("Luca Bernardi"), r("Elisa Gentile")),
    ),
    DemoEvent(
        BOLOGNA, "elena.bassi@ponte.demo", "Accogliere in più lingue: giornata formativa per gli sportelli sociali",
        "Una giornata di formazione per operatrici e operatori degli sportelli sociali dei Quartieri e dei servizi dell'Azienda "
        "USL di Bologna.\n\n**Programma**\n\n- mattina: il quadro normativo su permessi, residenza e accesso ai servizi, con "
        "casi pratici\n- pranzo\n- pomeriggio: lavorare con la mediazione linguistica, anche al telefono; materiali in "
        "lingua facile\n\nLa partecipazione vale come formazione obbligatoria. Posti limitati.",
        "training_day", "037006", week=3, weekday=THU, start="09:00", end="16:00",
        venue="Palazzo d'Accursio, Sala Tassinari", address="Piazza Maggiore 6, 40124 Bologna",
        action="action_02", step_free=True, languages=("it",),
        notes="Ascensore dal cortile d'onore. Interpretariato in LIS su richiesta, scrivendo almeno una settimana prima.",
        registration="open", capacity=35,
        people=(r("Matteo Rinaldi"), r("Sara Lodi"), r("Valentina Monti"), r("Anna Marchetti"), r("Francesco Guidi"),
                r("Rosa Fabbri")),
    ),
    DemoEvent(
        DONNE_UCRAINE, "olena@ponte.demo", "Онлайн-зустріч: тимчасовий захист і дозвіл на проживання",
        "Юристка-волонтерка пояснює, що змінюється з продовженням тимчасового захисту, як перейти на дозвіл на проживання "
        "для роботи і які документи підготувати. Після розповіді — відповіді на ваші запитання.\n\n"
        "Зустріч українською мовою, з перекладом італійською для волонтерів.",
        "online_meeting", "037006", week=3, weekday=MON, start="19:00", end="20:00", language="uk",
        mode="online", online_url="https://meet.example.org/donne-ucraine-protezione-temporanea",
        action="action_03", languages=("uk", "it"), interpretation=("it",),
        translations=(
            ("it", "Incontro online: protezione temporanea e permesso di soggiorno",
             "Un'avvocata volontaria spiega che cosa cambia con la proroga della protezione temporanea, come convertirla in "
             "permesso di soggiorno per lavoro e quali documenti preparare. Poi risponde alle vostre domande.\n\n"
             "L'incontro è in ucraino, con traduzione in italiano per le volontarie e i volontari."),
        ),
    ),
)

# ---------------------------------------------------------------- Puglia

BARI_INFO = DemoEvent(
    BARI, "giuseppe.amato@ponte.demo", "Permesso di soggiorno e residenza: incontro informativo con interpreti",
    "Un incontro per capire come si rinnova il permesso di soggiorno e che cosa c'entra la residenza: quali documenti "
    "servono, come si presenta il kit alle Poste, quanto si paga, che cosa fare se il permesso scade mentre si aspetta "
    "il rinnovo.\n\nParlano un'operatrice dell'Ufficio Immigrazione e un'avvocata dello sportello legale gratuito. "
    "In sala ci sono interpreti di **arabo, bengalese e urdu**.\n\n"
    "La sala ha 20 posti: se siete in lista d'attesa vi scriviamo appena si libera un posto.",
    "info_session", "072006", week=1, weekday=WED, start="17:00", end="19:00",
    venue="Ufficio Immigrazione e Cittadinanza, sala riunioni", address="Via Garruba 51, 70122 Bari",
    action="action_03", step_free=True, interpretation=("ar", "bn", "ur"), languages=("it", "ar", "bn", "ur"),
    notes="Sala al piano terra, ingresso senza gradini. Potete portare il vostro permesso: rispondiamo anche a domande sul vostro caso.",
    registration="open", capacity=20,
    translations=(
        ("ar", "تصريح الإقامة والتسجيل في البلدية: لقاء إعلامي مع مترجمين",
         "لقاء لفهم كيفية تجديد تصريح الإقامة وما علاقته بالتسجيل في سجل السكان: ما الوثائق المطلوبة، وكيف يُقدَّم الملف "
         "في مكتب البريد، وكم التكلفة، وماذا تفعل إذا انتهت صلاحية التصريح أثناء انتظار التجديد.\n\n"
         "تتحدث موظفة من مكتب الهجرة ومحامية من الشباك القانوني المجاني. في القاعة مترجمون للعربية والبنغالية والأردية.\n\n"
         "في القاعة 20 مقعدًا: إذا كنتم على قائمة الانتظار سنكتب لكم فور توفر مكان."),
        ("bn", "পেরমেসো দি সজর্নো ও রেসিডেন্স: দোভাষীসহ তথ্যসভা",
         "কীভাবে পেরমেসো দি সজর্নো নবায়ন করবেন এবং রেসিডেন্সের সঙ্গে এর সম্পর্ক কী, তা বোঝার জন্য একটি সভা: কোন কাগজপত্র "
         "লাগবে, পোস্ট অফিসে কীভাবে জমা দিতে হয়, খরচ কত, আর নবায়নের অপেক্ষায় থাকার সময় মেয়াদ শেষ হলে কী করবেন।\n\n"
         "অভিবাসন অফিসের একজন কর্মী এবং বিনামূল্যে আইনি সহায়তা কেন্দ্রের একজন আইনজীবী কথা বলবেন। হলে আরবি, বাংলা ও "
         "উর্দু দোভাষী থাকবেন।\n\nহলে ২০টি আসন আছে: অপেক্ষমাণ তালিকায় থাকলে আসন খালি হলেই আমরা আপনাকে জানাব।"),
        ("ur", "رہائشی اجازت نامہ اور رہائش کا اندراج: مترجمین کے ساتھ معلوماتی نشست",
         "اس نشست میں بتایا جائے گا کہ پرمیسو دی سوجورنو کی تجدید کیسے ہوتی ہے اور رہائش کے اندراج سے اس کا کیا تعلق ہے: "
         "کون سی دستاویزات چاہییں، ڈاک خانے میں درخواست کیسے جمع ہوتی ہے، کتنی فیس ہے، اور اگر تجدید کے انتظار میں "
         "اجازت نامے کی مدت ختم ہو جائے تو کیا کریں۔\n\nہال میں عربی، بنگالی اور اردو کے مترجم موجود ہوں گے۔"),
        ("en", "Residence permit and registered residence: information meeting with interpreters",
         "A meeting to understand how to renew a residence permit and what registered residence has to do with it: which "
         "documents you need, how to send the application from the post office, how much it costs, what to do if the permit "
         "expires while you wait for the renewal.\n\nAn officer of the Immigration Office and a lawyer from the free legal "
         "desk will speak. Interpreters for **Arabic, Bengali and Urdu** are in the room.\n\n"
         "The room has 20 seats: if you are on the waiting list, we will write to you as soon as a seat is free."),
    ),
    people=("amina@ponte.demo",), crowd=22, late=("moussa@ponte.demo",), cancel=(r("Nicola Lamanna"),),
)

PUGLIA = (
    BARI_INFO,
    DemoEvent(
        BARI, "marta.desantis@ponte.demo", "Iscrizione anagrafica e dichiarazione di dimora: come si fa",
        "Un'ora per capire come ci si iscrive all'anagrafe di Bari quando si arriva o si cambia casa: i moduli, i documenti, "
        "il controllo della Polizia locale, i tempi. Poi domande e risposte.\n\n"
        "Con mediatrici in arabo, francese e inglese.",
        "info_session", "072006", week=-1, weekday=TUE, start="10:00", end="12:00",
        venue="Ufficio Immigrazione e Cittadinanza, sala riunioni", address="Via Garruba 51, 70122 Bari",
        action="action_03", step_free=True, interpretation=("ar", "en", "fr"), languages=("it", "ar", "en", "fr"),
        notes="Sala al piano terra, ingresso senza gradini.",
        registration="open", capacity=30,
        people=(r("Mohamed Ali Hassan"), r("Leila Ben Salem"), r("Samuel Mensah"), r("Aida Koné"), r("Hanan Abdelrahman"),
                r("Omar Diallo"), r("Kwame Boateng"), r("Mariam Yusuf"), r("Arif Hossain"), r("Elena Dragomir"), r("Ilir Berisha")),
    ),
    DemoEvent(
        TERANGA, "moussa@ponte.demo", "Corso di italiano del sabato – livello A2",
        "Il corso di italiano di Teranga, ogni sabato mattina nella nostra sede. Livello A2: per chi sa già presentarsi e "
        "vuole parlare di lavoro, casa, medico e scuola dei figli.\n\n"
        "- insegnanti: due docenti in pensione e una studentessa dell'Università del Salento\n"
        "- materiale gratis; portate un quaderno\n- alla fine del corso, chi vuole prova l'esame di livello A2 con noi\n\n"
        "Non serve iscriversi: venite anche solo per provare.",
        "italian_l2", "075035", week=-3, weekday=SAT, start="10:00", end="12:00", weeks=11,
        venue="Sede di Teranga, sala corsi", address="Via Oronzo Quarta 22, 73100 Lecce",
        action="action_01", childcare=True, languages=("it", "fr", "wo"),
        notes="Non sappiamo ancora se l'ingresso è accessibile in sedia a ruote: chiamateci e vi aiutiamo. Angolo giochi con una volontaria.",
        translations=(
            ("fr", "Cours d'italien du samedi – niveau A2",
             "Le cours d'italien de Teranga, chaque samedi matin dans nos locaux. Niveau A2 : pour celles et ceux qui savent déjà "
             "se présenter et veulent parler du travail, du logement, du médecin et de l'école des enfants.\n\n"
             "- enseignants : deux professeurs à la retraite et une étudiante de l'Université du Salento\n"
             "- matériel gratuit ; apportez un cahier\n- à la fin du cours, qui le souhaite passe l'examen de niveau A2 avec nous\n\n"
             "Pas besoin de s'inscrire : venez aussi juste pour essayer."),
        ),
    ),
    DemoEvent(
        TERANGA, "moussa@ponte.demo", "Assemblea dei soci: bilancio e rinnovo del direttivo",
        "L'assemblea annuale di Teranga. Approviamo il bilancio, eleggiamo il nuovo direttivo e decidiamo insieme le attività "
        "dei prossimi mesi: sportello del sabato, corso di italiano, feste e mediazione con le scuole.\n\n"
        "Votano i soci in regola con la quota; chiunque è benvenuto ad ascoltare. Si parla wolof, francese e italiano. "
        "Alla fine, thieboudienne per tutti.",
        "assembly", "075035", week=3, weekday=SUN, start="16:00", end="19:00",
        venue="Sede di Teranga, sala grande", address="Via Oronzo Quarta 22, 73100 Lecce",
        action="action_04", childcare=True, languages=("wo", "fr", "it"),
        notes="Non sappiamo ancora se l'ingresso è accessibile in sedia a ruote: chiamateci e vi aiutiamo.",
        translations=(
            ("fr", "Assemblée générale : bilan et élection du bureau",
             "L'assemblée annuelle de Teranga. Nous approuvons le bilan, élisons le nouveau bureau et décidons ensemble des "
             "activités des prochains mois : permanence du samedi, cours d'italien, fêtes et médiation avec les écoles.\n\n"
             "Les membres à jour de leur cotisation votent ; tout le monde est bienvenu pour écouter. On parle wolof, français "
             "et italien. À la fin, thiéboudienne pour tout le monde."),
        ),
    ),
    DemoEvent(
        BARI, "marta.desantis@ponte.demo", "Forum regionale Puglia – associazioni migranti: incontro aperto",
        "L'incontro periodico del forum regionale sull'Azione 4: le associazioni di migranti e il Comune fanno il punto sulle "
        "discussioni aperte nel forum.\n\n**Ordine del giorno**\n\n- sale per le riunioni delle associazioni: a che punto siamo\n"
        "- il calendario unico delle attività del quartiere Libertà\n- proposte per il piano regionale dell'anno prossimo\n\n"
        "Si partecipa in sala o online: il link arriva a chi si iscrive.",
        "forum_meeting", "072006", week=2, weekday=FRI, start="17:30", end="19:30",
        venue="Biblioteca «Santa Teresa dei Maschi», sala conferenze", address="Strada Santa Teresa dei Maschi 1, 70122 Bari",
        action="action_04", mode="hybrid", online_url="https://meet.example.org/forum-puglia-azione-4", registrants_only=True,
        languages=("it", "fr", "ar"), notes="Non sappiamo se la sala è raggiungibile senza gradini: chi ha bisogno può seguire online.",
        registration="open", capacity=60, forum=("16", "action_04"), partners=((TERANGA, True),),
        people=("amina@ponte.demo", "moussa@ponte.demo", "moderatore.puglia@ponte.demo", r("Omar Diallo"), r("Teresa Mastrangelo"),
                r("Leila Ben Salem"), r("Ilir Berisha"), r("Kwame Boateng")),
    ),
    DemoEvent(
        BARI, "marta.desantis@ponte.demo", "Laboratorio Libertà e Madonnella: i risultati del voto",
        "La votazione del laboratorio di progettazione partecipata è chiusa: presentiamo la classifica delle proposte, quante "
        "persone hanno votato e come spendiamo i 150.000 euro.\n\nChi ha scritto le proposte più votate racconta i prossimi "
        "passi; gli uffici del Comune spiegano tempi e responsabili. Mediatrici in arabo e francese.",
        "assembly", "072006", weekday=FRI, after=11, start="18:00", end="20:00",
        venue="Officina degli Esordi, sala grande", address="Via Crisanzio 32, 70122 Bari",
        action="action_04", step_free=True, interpretation=("ar", "fr"), languages=("it", "ar", "fr"),
        notes="Tutto al piano terra; bagno accessibile.", lab=BARI_LAB_SPEC.title,
    ),
    DemoEvent(
        BARI, "giuseppe.amato@ponte.demo", "Libertà in festa: la festa di quartiere delle associazioni",
        "Una domenica in piazza del Redentore con le associazioni del quartiere Libertà: cucine dal Senegal, dal Bangladesh, "
        "dalla Georgia e dalla Puglia, musica dal pomeriggio, giochi e truccabimbi per i più piccoli, il banco del Comune con "
        "mediatrici in arabo e inglese.\n\nIngresso libero, non serve iscriversi. Se piove, la festa è rinviata alla domenica dopo.",
        "festival", "072006", week=4, weekday=SUN,
        venue="Piazza del Redentore", address="Piazza del Redentore, 70123 Bari",
        action="action_04", step_free=True, childcare=True, interpretation=("ar", "en"), languages=("it", "ar", "bn", "wo", "en"),
        notes="Piazza in piano; bagni chimici accessibili all'angolo con via Manzoni. Spazio giochi sorvegliato per i bambini.",
        translations=(
            ("ar", "الحرية في عيد: عيد الحي مع الجمعيات",
             "يوم أحد في ساحة ريدنتوري مع جمعيات حي ليبرتا: مأكولات من السنغال وبنغلاديش وجورجيا وبوليا، موسيقى بعد الظهر، "
             "ألعاب ورسم على الوجوه للصغار، وجناح البلدية مع وسيطات باللغتين العربية والإنجليزية.\n\nالدخول مجاني ولا حاجة للتسجيل."),
            ("en", "Libertà celebrates: the neighbourhood festival of the associations",
             "A Sunday in Piazza del Redentore with the associations of the Libertà neighbourhood: food from Senegal, Bangladesh, "
             "Georgia and Puglia, music from the afternoon, games and face painting for children, the Comune's stand with "
             "mediators speaking Arabic and English.\n\nFree entry, no need to register. If it rains, the festival moves to the next Sunday."),
            ("fr", "Libertà en fête : la fête de quartier des associations",
             "Un dimanche sur la place du Redentore avec les associations du quartier Libertà : cuisines du Sénégal, du "
             "Bangladesh, de Géorgie et des Pouilles, musique l'après-midi, jeux et maquillage pour les petits, le stand de la "
             "Commune avec des médiatrices en arabe et en anglais.\n\nEntrée libre, pas besoin de s'inscrire."),
        ),
    ),
)

# ---------------------------------------------------------------- Abruzzo

ABRUZZO = (
    DemoEvent(
        PESCARA, "marco.dangelo@ponte.demo", "Giornata formativa: salute e accesso ai servizi per le persone straniere",
        "Una mattina di formazione organizzata con la ASL di Pescara per chi lavora nei servizi sociali, nelle scuole, negli "
        "sportelli e nelle associazioni.\n\n**Programma**\n\n- iscrizione al Servizio sanitario e codice STP: chi ne ha diritto\n"
        "- esenzioni e scelta del medico di base\n- la mediazione linguistica in ospedale e nei consultori\n- casi pratici in "
        "piccoli gruppi\n\nPosti riservati agli operatori: confermiamo ogni iscrizione.",
        "training_day", "068028", week=-1, weekday=THU, start="09:00", end="13:30",
        venue="Ospedale civile Santo Spirito, aula formazione ASL", address="Via Fonte Romana 8, 65124 Pescara",
        action="action_02", step_free=True, languages=("it",), notes="Aula al piano terra del padiglione formazione; parcheggio riservato.",
        registration="approval", capacity=40,
        people=("francesca.dicarlo@ponte.demo", "lucia@ponte.demo", "ardit@ponte.demo", r("Daniela Di Renzo"),
                r("Valentina Di Pietro"), r("Roberto Ciccone"), r("Federica Marinucci"), r("Antonella Di Biase"),
                r("Chiara Verna"), r("Simone Cipollone"), r("Fabio Mancini")),
        approve=("francesca.dicarlo@ponte.demo", "lucia@ponte.demo", "ardit@ponte.demo", r("Daniela Di Renzo"),
                 r("Valentina Di Pietro"), r("Roberto Ciccone"), r("Federica Marinucci"), r("Antonella Di Biase"),
                 r("Chiara Verna"), r("Simone Cipollone")),
        decline=(r("Fabio Mancini"),),
    ),
    DemoEvent(
        IC_PE, "francesca.dicarlo@ponte.demo", "Peer education «Ci vediamo a ricreazione»",
        "Il laboratorio di peer education della scuola media, curato dalla referente per l'intercultura con la Comunità "
        "Albanese d'Abruzzo.\n\nOgni lunedì ragazze e ragazzi di terza, formati come tutor, lavorano con i compagni di prima "
        "arrivati da poco: giochi per conoscersi, le regole della scuola, l'italiano per studiare, il racconto di sé.\n\n"
        "Per gli alunni delle classi prime e terze: l'iscrizione si fa a scuola, con il modulo firmato dai genitori.",
        "peer_education", "068028", week=-2, weekday=MON, start="14:30", end="16:30", weeks=7,
        venue="Istituto Comprensivo Pescara 3 – scuola media, aula polifunzionale", address="Via Rigopiano 70, 65124 Pescara",
        action="action_01", step_free=True, languages=("it", "sq", "ar"),
        notes="Aula al piano terra; ascensore per la palestra.", partners=((ALBANESI, True),),
    ),
    DemoEvent(
        PESCARA, "marco.dangelo@ponte.demo", "Living Lab Pescara: assemblea pubblica sulle proposte",
        "L'incontro del giovedì del Living Lab di Rancitelli e Fontanelle. Le proposte sono chiuse: discutiamo quelle "
        "arrivate, con chi le ha scritte, le associazioni, la scuola, la ASL e gli uffici del Comune, prima del voto.\n\n"
        "Questa settimana: il punto informativo multilingue al centro civico e lo spazio bimbi durante i corsi di italiano.",
        "assembly", "068028", weekday=THU, after=1, start="18:00", end="20:00",
        venue="Centro civico di Rancitelli, sala riunioni", address="Via Lago di Borgiano 5, 65128 Pescara",
        action="action_03", step_free=True, childcare=True, interpretation=("ar", "sq"), languages=("it", "sq", "ar", "ro"),
        notes="Sala al piano terra con rampa; angolo bimbi con un'educatrice.", lab=PESCARA_LAB.title,
    ),
    DemoEvent(
        ALBANESI, "ardit@ponte.demo", "Asambleja e përgjithshme e anëtarëve",
        "Takimi vjetor i anëtarëve të Komunitetit Shqiptar të Abruzzos.\n\n**Rendi i ditës**\n\n"
        "- raporti i aktiviteteve të vitit\n- bilanci dhe kuota e anëtarësimit\n"
        "- turneu i futbollit për të rinjtë dhe programi i aktiviteteve kulturore\n\n"
        "Pas takimit: kafe dhe ëmbëlsira shqiptare për të gjithë.",
        "assembly", "068028", week=-2, weekday=SAT, start="17:00", end="19:30", language="sq",
        venue="Sede dell'associazione, sala riunioni", address="Via Tiburtina Valeria 120, 65128 Pescara",
        action="action_04", step_free=False, languages=("sq", "it"),
        notes="La sede è al primo piano e non c'è ascensore: scriveteci e organizziamo l'incontro al piano terra del bar accanto.",
        registration="open",
        translations=(
            ("it", "Assemblea generale dei soci",
             "L'incontro annuale dei soci della Comunità Albanese d'Abruzzo.\n\n**Ordine del giorno**\n\n"
             "- relazione sulle attività dell'anno\n- bilancio e quota associativa\n"
             "- torneo di calcio per i ragazzi e programma delle attività culturali\n\n"
             "Dopo l'assemblea: caffè e dolci albanesi per tutti."),
        ),
        people=(r("Ermal Gashi"), r("Elira Muca"), r("Blerina Kola"), r("Klodiana Shehu"), "francesca.dicarlo@ponte.demo",
                r("Gianluca Di Nisio"), r("Andrea Tarquini")),
    ),
    DemoEvent(
        IC_PE, "lucia@ponte.demo", "Iscrizioni a scuola: incontro per le famiglie arrivate da poco",
        "Come funzionano le iscrizioni online alla scuola dell'infanzia, alla primaria e alla media, quali documenti servono "
        "e come si sceglie la scuola. La segreteria aiuta a compilare la domanda sul posto.\n\n"
        "Con mediatrici in albanese, arabo e romeno; c'è uno spazio per i bambini con le maestre.",
        "info_session", "068028", week=5, weekday=TUE, start="17:00", end="18:30",
        venue="Istituto Comprensivo Pescara 3 – scuola primaria, aula magna", address="Via Rigopiano 70, 65124 Pescara",
        action="action_01", step_free=True, childcare=True, interpretation=("ar", "ro", "sq"), languages=("it", "sq", "ar", "ro"),
        notes="Aula magna al piano terra, ingresso con rampa.", registration="open", capacity=40,
        people=(r("Samira Bensaid"), r("Youssef Amrani"), r("Mirela Dumitru"), r("Elira Muca"), r("Ionut Stan")),
    ),
)

# ---------------------------------------------------------------- Lombardia

LOMBARDIA = (
    DemoEvent(
        PAK, "ayesha@ponte.demo", "La salute delle donne: incontro online con una ginecologa",
        "Un incontro online, solo per donne, con una ginecologa del consultorio e una mediatrice che parla urdu e punjabi: "
        "visite in gravidanza, screening gratuiti, contraccezione, come prenotare al consultorio.\n\n"
        "Si può restare con la telecamera spenta e fare domande in chat, anche in urdu. Il link arriva a chi si iscrive.",
        "online_meeting", "017029", week=1, weekday=TUE, start="20:30", end="21:45",
        mode="online", online_url="https://meet.example.org/pak-welfare-salute-donne", registrants_only=True,
        action="action_02", interpretation=("pa", "ur"), languages=("ur", "pa", "it"), registration="open", capacity=100,
        translations=(
            ("ur", "خواتین کی صحت: ماہرِ امراضِ نسواں کے ساتھ آن لائن نشست",
             "صرف خواتین کے لیے ایک آن لائن نشست، کنسلٹوریو کی ایک لیڈی ڈاکٹر اور اردو و پنجابی بولنے والی ثالث کے ساتھ: "
             "حمل کے دوران معائنے، مفت اسکریننگ، خاندانی منصوبہ بندی، اور کنسلٹوریو میں وقت کیسے لیں۔\n\n"
             "آپ کیمرا بند رکھ سکتی ہیں اور چیٹ میں اردو میں بھی سوال پوچھ سکتی ہیں۔ لنک صرف رجسٹر ہونے والوں کو ملے گا۔"),
            ("en", "Women's health: online meeting with a gynaecologist",
             "An online meeting, for women only, with a gynaecologist from the family health centre and a mediator who speaks "
             "Urdu and Punjabi: check-ups in pregnancy, free screenings, contraception, how to book at the centre.\n\n"
             "You can keep your camera off and ask questions in the chat, in Urdu too. The link goes to those who register."),
        ),
        people=("harpreet@ponte.demo", r("Shabana Bibi"), r("Nasrin Akter"), r("Sharmin Sultana"), r("Rania Farouk"),
                r("Nusrat Jahan"), r("Fatima Zahra Idrissi")),
    ),
    DemoEvent(
        PAK, "ayesha@ponte.demo", "Tessera sanitaria e medico di base: come si fa",
        "Un pomeriggio nella nostra sede per capire come ci si iscrive al Servizio sanitario, come si sceglie il medico di base "
        "e il pediatra, che cosa fare se si cambia casa. Portate il permesso di soggiorno e il codice fiscale: vi aiutiamo con "
        "le pratiche online.\n\nSi parla urdu, punjabi e italiano.",
        "info_session", "017029", week=3, weekday=SAT, start="15:00", end="17:00",
        venue="Sede di Pak Welfare Brescia", address="Via Milano 59, 25126 Brescia",
        action="action_02", step_free=True, interpretation=("pa", "ur"), languages=("ur", "pa", "it"),
        notes="Negozio al piano strada, ingresso senza gradini.",
        translations=(
            ("ur", "ہیلتھ کارڈ اور فیملی ڈاکٹر: طریقہ کیا ہے",
             "ہمارے دفتر میں ایک دوپہر: سرکاری صحت کے نظام میں اندراج کیسے ہوتا ہے، فیملی ڈاکٹر اور بچوں کا ڈاکٹر کیسے چنیں، "
             "اور گھر بدلنے پر کیا کریں۔ اپنا پرمیسو دی سوجورنو اور کودیچے فیسکالے ساتھ لائیں: ہم آن لائن کارروائی میں مدد کریں گے۔"),
        ),
    ),
    DemoEvent(
        GIOVANI, "rahim@ponte.demo", "Doposcuola tra pari alla biblioteca di Crescenzago",
        "Il doposcuola nato dal laboratorio di quartiere di via Padova: ragazze e ragazzi delle superiori aiutano quelli delle "
        "medie con i compiti e con l'italiano per studiare, con un'educatrice del Municipio.\n\n"
        "Questo è il gruppo del giovedì, dalle 16:30 alle 18:30 (il martedì c'è un secondo gruppo). Ci si iscrive una volta "
        "per tutto il periodo; la merenda la portiamo noi.",
        "peer_education", "015146", week=-2, weekday=THU, start="16:30", end="18:30", weeks=8,
        venue="Biblioteca Crescenzago, sala grande", address="Via Don Orione 19, 20132 Milano",
        action="action_01", step_free=True, languages=("it", "bn", "ar", "es", "zh"),
        notes="Biblioteca al piano terra, ingresso senza gradini, bagno accessibile.",
        registration="open", capacity=30, lab=MILANO_LAB.title, partners=((MILANO, True),),
        translations=(
            ("bn", "ক্রেশেনজাগো লাইব্রেরিতে সহপাঠীদের সঙ্গে পড়াশোনা",
             "ভিয়া পাদোভার পাড়ার ল্যাবরেটরি থেকে জন্ম নেওয়া পড়াশোনার সহায়তা: হাই স্কুলের ছেলেমেয়েরা মিডল স্কুলের "
             "ছাত্রছাত্রীদের বাড়ির কাজ আর পড়ার ইতালীয় ভাষায় সাহায্য করে, মিউনিসিপ্যালিটির একজন শিক্ষাকর্মীর সঙ্গে।\n\n"
             "প্রতি বৃহস্পতিবার বিকেল ৪:৩০ থেকে ৬:৩০। পুরো সময়ের জন্য একবার নাম লেখালেই হবে।"),
        ),
        people=(r("Nusrat Jahan"), r("Rania Farouk"), r("Li Na"), r("Marisol Quispe"), r("Mohammed El Idrissi"), r("Abdul Karim")),
    ),
    DemoEvent(
        MILANO, "stefania.galli@ponte.demo", "Scegliere la scuola superiore: mattinata di orientamento per le famiglie",
        "Le iscrizioni alle superiori si fanno online a gennaio. In questa mattinata insegnanti delle scuole del Municipio 2, "
        "studenti e orientatori spiegano licei, istituti tecnici e professionali, e aiutano a leggere il consiglio "
        "orientativo della scuola media.\n\nCon mediatrici e mediatori in bengalese, arabo, cinese e spagnolo.",
        "info_session", "015146", week=5, weekday=SAT, start="09:30", end="12:30",
        venue="Municipio 2, sala consiliare", address="Viale Zara 100, 20125 Milano",
        action="action_01", step_free=True, interpretation=("ar", "bn", "es", "zh"), languages=("it", "bn", "ar", "es", "zh"),
        notes="Ascensore per la sala consiliare al primo piano; bagno accessibile.", partners=((GIOVANI, False),),
    ),
    DemoEvent(
        GIOVANI, "rahim@ponte.demo", "Serata proposte: scriviamo insieme le idee per il laboratorio giovani",
        "Il laboratorio giovani di via Padova raccoglie proposte ancora per qualche settimana. Venite con un'idea (o anche senza): "
        "vi aiutiamo a scriverla bene, a trovare chi la sostiene e a capire a chi chiedere.\n\nPizza per tutti alle 20.",
        "workshop", "015146", weekday=FRI, after=2, start="18:30", end="21:00",
        venue="Casa di quartiere di via Padova, sala al piano terra", address="Via Padova 36, 20127 Milano",
        action="action_04", step_free=True, languages=("it", "bn", "en"), notes="Sala al piano terra, ingresso senza gradini.",
        lab=YOUTH_LAB.title,
        translations=(
            ("bn", "প্রস্তাবের সন্ধ্যা: তরুণদের ল্যাবরেটরির জন্য একসঙ্গে আইডিয়া লিখি",
             "ভিয়া পাদোভার তরুণদের ল্যাবরেটরি আরও কয়েক সপ্তাহ প্রস্তাব গ্রহণ করবে। একটি আইডিয়া নিয়ে আসুন (বা ছাড়াই): "
             "আমরা সেটা ভালোভাবে লিখতে, সমর্থক খুঁজতে আর কার কাছে চাইতে হবে তা বুঝতে সাহায্য করব।\n\nরাত ৮টায় সবার জন্য পিৎজা।"),
        ),
    ),
    DemoEvent(
        GIOVANI, "rahim@ponte.demo", "Online: scegliere le superiori, domande e risposte in bengalese",
        "Un'ora online per i genitori che parlano bengalese: ragazze e ragazzi di seconda generazione, oggi alle superiori o "
        "all'università, raccontano come hanno scelto la scuola e rispondono alle domande su indirizzi, iscrizioni e libri.\n\n"
        "Il link è aperto a tutti.",
        "online_meeting", "015146", week=2, weekday=WED, start="21:00", end="22:00",
        mode="online", online_url="https://meet.example.org/giovani-italo-bengalesi-superiori",
        action="action_01", languages=("bn", "it"),
        translations=(
            ("bn", "অনলাইন: হাই স্কুল বেছে নেওয়া, বাংলায় প্রশ্নোত্তর",
             "বাংলাভাষী অভিভাবকদের জন্য এক ঘণ্টার অনলাইন সভা: দ্বিতীয় প্রজন্মের ছেলেমেয়েরা, যারা এখন হাই স্কুলে বা "
             "বিশ্ববিদ্যালয়ে পড়ে, বলবে তারা কীভাবে স্কুল বেছে নিয়েছে এবং বিষয়, ভর্তি ও বই নিয়ে প্রশ্নের উত্তর দেবে।\n\n"
             "লিংকটি সবার জন্য খোলা।"),
        ),
    ),
)

# ---------------------------------------------------------------- Toscana

TOSCANA_TRAINING = DemoEvent(
    TOSCANA, ADMIN_EMAIL, "Giornata formativa TEAMS: informare i cittadini stranieri",
    "La giornata regionale di formazione del piano TEAMS per chi lavora negli sportelli informativi dei Comuni, delle "
    "ASL, delle scuole e del terzo settore.\n\n**Programma**\n\n- 9:30 apertura dei lavori\n- 10:00 scrivere in lingua "
    "facile: laboratorio pratico\n- 12:00 la mediazione a distanza: esperienze di Prato e Firenze\n- 14:00 gruppi di lavoro "
    "per zona distretto\n- 16:00 conclusioni\n\nSi partecipa in sala o online (il link arriva a chi è confermato). "
    "Posti riservati agli operatori: confermiamo ogni iscrizione.",
    "training_day", "048017", week=2, weekday=THU, start="09:30", end="16:30",
    venue="Auditorium di Sant'Apollonia", address="Via San Gallo 25/a, 50129 Firenze",
    action="action_03", mode="hybrid", online_url="https://meet.example.org/regione-toscana-teams-formazione",
    registrants_only=True, step_free=True, languages=("it",),
    notes="Auditorium accessibile dall'ingresso di via San Gallo; anello a induzione magnetica; interpretariato in LIS su richiesta.",
    registration="approval", capacity=80,
    people=("lin.wei@ponte.demo", "lorenzo.bruni@ponte.demo", "ioana@ponte.demo", r("Matteo Bini"), r("Elena Lenzi"),
            r("Giacomo Santini"), r("Sara Gori"), r("Marta Bettazzi"), r("Luca Nesti"), r("Riccardo Fantacci"),
            r("Bianca Innocenti")),
    approve=("lin.wei@ponte.demo", "lorenzo.bruni@ponte.demo", r("Matteo Bini"), r("Elena Lenzi"), r("Marta Bettazzi")),
    decline=(r("Riccardo Fantacci"),),
)

TOSCANA_EVENTS = (
    TOSCANA_TRAINING,
    DemoEvent(
        TOSCANA, ADMIN_EMAIL, "Giornata territoriale Zona Pratese: minori stranieri e scuola",
        "La tappa pratese delle giornate territoriali del piano TEAMS: servizi sociali, scuole, ASL e associazioni mettono in "
        "comune dati ed esperienze sull'inserimento scolastico dei ragazzi arrivati da poco.\n\n"
        "Al mattino i dati della zona; poi tavoli di lavoro su accoglienza, orientamento e rapporto con le famiglie.",
        "training_day", "100005", week=5, weekday=WED, start="09:00", end="13:00",
        venue="Palazzo comunale, Salone consiliare", address="Piazza del Comune 2, 59100 Prato",
        action="action_01", step_free=True, languages=("it",), notes="Ascensore dall'ingresso di via Mazzoni.",
        registration="open", capacity=50,
        people=("lorenzo.bruni@ponte.demo", "lin.wei@ponte.demo", r("Matteo Bini"), r("Tommaso Magni"), r("Marta Bettazzi"),
                r("Bianca Innocenti")),
    ),
    DemoEvent(
        MOSAICO, "lin.wei@ponte.demo", "Festa dei popoli al Macrolotto Zero",
        "Una giornata intera in piazza con le comunità del quartiere: cucine cinese, pakistana, senegalese, romena e toscana, "
        "danza del leone e musica dal vivo, laboratori di calligrafia e di aquiloni per bambini, il mercatino delle associazioni.\n\n"
        "Ingresso libero, non serve iscriversi.",
        "festival", "100005", week=6, weekday=SUN,
        venue="Piazza dell'Immaginario", address="Piazza dell'Immaginario, 59100 Prato",
        action="action_04", step_free=True, childcare=True, languages=("it", "zh", "ur", "wo", "ro"),
        notes="Piazza in piano; bagni accessibili nel centro civico di via Pistoiese. Laboratori per bambini con educatrici.",
        partners=((PRATO, True),),
        translations=(
            ("zh_Hans", "Macrolotto Zero 各民族节",
             "全天在广场上与街区各社区一起欢度：中国、巴基斯坦、塞内加尔、罗马尼亚和托斯卡纳美食，舞狮和现场音乐，"
             "为孩子们准备的书法和风筝工作坊，以及各协会的集市。\n\n免费入场，无需报名。"),
            ("en", "Festival of peoples at Macrolotto Zero",
             "A whole day in the square with the neighbourhood's communities: Chinese, Pakistani, Senegalese, Romanian and "
             "Tuscan food, lion dance and live music, calligraphy and kite workshops for children, the associations' market.\n\n"
             "Free entry, no need to register."),
        ),
    ),
    DemoEvent(
        MOSAICO, "lin.wei@ponte.demo", "Laboratorio per mediatrici e mediatori: le parole della sanità",
        "Un pomeriggio di lavoro per chi fa mediazione linguistica in ospedale e nei consultori: il lessico delle visite, "
        "degli esami e delle dimissioni, i termini che non hanno un equivalente esatto, come dire una cattiva notizia.\n\n"
        "Con una medica dell'ospedale Santo Stefano. Posti limitati.",
        "workshop", "100005", week=-2, weekday=WED, start="15:00", end="18:00",
        venue="Cooperativa Il Mosaico, sala formazione", address="Via Pistoiese 120, 59100 Prato",
        action="action_02", step_free=True, languages=("it", "zh"), notes="Sala al piano terra.",
        registration="open", capacity=15,
        people=(r("Zhou Min"), r("Wang Fang"), r("Hu Xiaoyan"), r("Liu Yang"), r("Xu Lei"), r("Irina Popa"), r("Adnan Hussain"),
                r("Jin Mei")),
    ),
    DemoEvent(
        ROMENI, "ioana@ponte.demo", "Atelier de limba română pentru copii",
        "În fiecare sâmbătă dimineață, copiii de 6–11 ani citesc, cântă și se joacă în limba română, cu două învățătoare "
        "voluntare.\n\nNu e nevoie de înscriere: veniți direct. Părinții pot aștepta în sala de alături, unde este și "
        "ghișeul de ajutor pentru documente.",
        "workshop", "048017", week=-1, weekday=SAT, start="10:00", end="11:30", weeks=8, language="ro",
        venue="Circolo ARCI di Novoli, sala al primo piano", address="Via Carlo Bini 7, 50127 Firenze",
        action="action_04", languages=("ro", "it"), notes="Non sappiamo se c'è un ascensore: chiedete al circolo.",
        translations=(
            ("it", "Laboratorio di lingua romena per bambini",
             "Ogni sabato mattina bambine e bambini dai 6 agli 11 anni leggono, cantano e giocano in romeno con due maestre "
             "volontarie.\n\nNon serve iscriversi: venite direttamente. I genitori possono aspettare nella sala accanto, dove "
             "c'è anche lo sportello di aiuto con i documenti."),
        ),
    ),
    DemoEvent(
        PRATO, "lorenzo.bruni@ponte.demo", "Ricongiungimento familiare: incontro informativo",
        "Chi può chiedere il ricongiungimento, quali redditi e quale casa servono, come si chiede l'idoneità alloggiativa al "
        "Comune e il nulla osta in Prefettura, quanto tempo ci vuole.\n\n"
        "Con una mediatrice di lingua cinese e un mediatore di lingua urdu. Portate le vostre domande.",
        "info_session", "100005", week=3, weekday=TUE, start="17:30", end="19:00",
        venue="Centro civico del Macrolotto Zero", address="Via Pistoiese 91, 59100 Prato",
        action="action_03", step_free=True, interpretation=("ur", "zh"), languages=("it", "zh", "ur"),
        notes="Sala al piano terra; bagno accessibile.", registration="open", capacity=30,
        people=(r("Chen Hao"), r("Zheng Li"), r("Shabana Bibi"), r("Adnan Hussain"), r("Wang Fang")),
    ),
    DemoEvent(
        TOSCANA, ADMIN_EMAIL, "Presentazione online del laboratorio regionale sull'informazione",
        "Il laboratorio regionale del piano TEAMS sull'informazione ai cittadini stranieri apre tra pochi giorni. In questo "
        "incontro online spieghiamo come funziona, chi può fare proposte, come si sostengono e come risponde la Regione.\n\n"
        "Il link è aperto a tutti; la registrazione sarà pubblicata sulla pagina del laboratorio.",
        "online_meeting", "09", weekday=TUE, after=14, start="17:00", end="18:00",
        mode="online", online_url="https://meet.example.org/regione-toscana-laboratorio-informazione",
        action="action_03", languages=("it",), lab=TOSCANA_LAB.title,
        translations=(
            ("en", "Online presentation of the regional lab on information",
             "The TEAMS regional lab on information for foreign citizens opens in a few days. In this online meeting we explain "
             "how it works, who can make proposals, how to support them and how the Region answers.\n\n"
             "The link is open to everyone; the recording will be published on the lab's page."),
            ("fr", "Présentation en ligne du laboratoire régional sur l'information",
             "Le laboratoire régional du plan TEAMS sur l'information des citoyens étrangers ouvre dans quelques jours. Dans cette "
             "réunion en ligne, nous expliquons comment il fonctionne, qui peut faire des propositions, comment les soutenir et "
             "comment la Région répond.\n\nLe lien est ouvert à tous ; l'enregistrement sera publié sur la page du laboratoire."),
            ("uk", "Онлайн-презентація регіональної лабораторії з інформування",
             "Регіональна лабораторія плану TEAMS з інформування іноземних громадян відкривається за кілька днів. На цій "
             "онлайн-зустрічі пояснюємо, як вона працює, хто може подавати пропозиції, як їх підтримати і як відповідає Регіон.\n\n"
             "Посилання відкрите для всіх; запис буде опубліковано на сторінці лабораторії."),
        ),
    ),
)

EVENTS = (*EMILIA, *PUGLIA, *ABRUZZO, *LOMBARDIA, *TOSCANA_EVENTS)


# ---------------------------------------------------------------- calendar rules

# National holidays, plus Christmas and New Year's Eve (offices close); (month, day).
CLOSED_DAYS = {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 24), (12, 25), (12, 26), (12, 31)}
HOLIDAY_REASON = "Giorno festivo: la sede è chiusa. Ci vediamo la settimana prossima."
BREAK_REASON = "Vacanze di Natale: le lezioni riprendono dopo l'Epifania."
INSTITUTIONS = (OrgKind.SCHOOL, OrgKind.LOCAL_AUTHORITY)


def is_holiday(day: date) -> bool:
    """National public holidays, Easter Monday, and Christmas and New Year's Eve (offices close)."""
    return (day.month, day.day) in CLOSED_DAYS or day == easter(day.year) + timedelta(days=1)


def school_break(day: date) -> bool:
    return (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day <= 6)


def closed(day: date, institution: bool) -> str:
    """Why nothing happens on that day ("" if something can). Schools and public offices also stop
    for the Christmas holidays."""
    if institution and school_break(day):
        return BREAK_REASON
    return HOLIDAY_REASON if is_holiday(day) else ""


# ---------------------------------------------------------------- seeding


def needed() -> bool:
    """Events are seeded once: when there is no event yet and the demo labs' authorities exist."""
    return db.session.scalar(select(Event.id).limit(1)) is None and _find_org(PESCARA) is not None


def seed() -> list[str]:
    """Publish the demo events with their registrations. Returns lines to print."""
    seeder = _Seeder(utcnow())
    made = [seeder.event(spec, n) for n, spec in enumerate(EVENTS)]
    db.session.expire_all()  # the moments were moved back with bulk statements
    ids = [e.id for e in made]
    in_sessions = EventSession.event_id.in_(ids)
    dates = _count(EventSession, in_sessions)
    past = _count(EventSession, in_sessions, EventSession.ends_at < seeder.now)
    regs = Registration.session_id.in_(select(EventSession.id).where(in_sessions))
    waiting = _count(Registration, regs, Registration.status == RegistrationStatus.WAITING)
    pending = _count(Registration, regs, Registration.status == RegistrationStatus.PENDING)
    attended = _count(Registration, regs, Registration.attended_at.is_not(None))
    return [f"{len(made)} demo events in the five regions: {dates} dates ({past} past), {_count(Registration, regs)} "
            f"registrations ({waiting} on a waiting list, {pending} awaiting approval, {attended} checked in)."]


def _count(model: type, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def _find_org(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def _required(found: T | None, what: str) -> T:
    if found is None:
        raise LookupError(f"demo data: {what} is missing")
    return found


def _wall(moment: datetime, days: int) -> datetime:
    """The same Rome wall-clock time ``days`` later (or earlier): a class at 18:00 stays at 18:00 across DST."""
    at = events.local(moment)
    return events.to_utc(at.date() + timedelta(days=days), at.time())


class _Seeder:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = labs.local_day(now) or now.date()
        self.monday = self.today - timedelta(days=self.today.weekday())
        self._users: dict[str, User] = {}
        self._orgs: dict[str, Organization] = {}
        self._residents: dict[str, list[User]] = {}

    def user(self, email: str) -> User:
        if email not in self._users:
            self._users[email] = _required(accounts.find_user_by_email(email), email)
        return self._users[email]

    def org(self, name: str) -> Organization:
        if name not in self._orgs:
            self._orgs[name] = _required(_find_org(name), name)
        return self._orgs[name]

    def residents(self, code: str) -> list[User]:
        """The demo labs' residents of a comune, in their order (empty for comuni without any)."""
        if code not in self._residents:
            emails = [resident_email(name) for name, _ in RESIDENTS.get(code, ())]
            found = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))} if emails else {}
            self._residents[code] = [found[e] for e in emails if e in found]
            self._users.update(found)
        return self._residents[code]

    # ------------------------------------------------------------ one event

    def first_day(self, spec: DemoEvent, institution: bool) -> date:
        if spec.after is not None:
            earliest = self.today + timedelta(days=spec.after)
            day = earliest + timedelta(days=(spec.weekday - earliest.weekday()) % 7)
        else:
            day = self.monday + timedelta(weeks=spec.week, days=spec.weekday)
        if spec.weeks == 1:  # a single date moves off holidays by whole weeks (back if it is in the past)
            step = timedelta(weeks=-1 if day < self.today else 1)
            while closed(day, institution):
                day += step
        return day

    def event(self, spec: DemoEvent, n: int) -> Event:
        org, author = self.org(spec.org), self.user(spec.by)
        institution = org.kind in INSTITUTIONS
        first = self.first_day(spec, institution)
        people = self.registrants(spec)
        begins = events.to_utc(first, time.fromisoformat(spec.start or "00:00"))
        # Registering needs dates in the future: publish whole weeks later, fill, then move back.
        weeks_later = (self.today - first).days // 7 + 1 if people and begins <= self.now + timedelta(hours=1) else 0
        event = self.publish(spec, org, author, first + timedelta(weeks=weeks_later))
        for name, accepted in spec.partners:
            invitation = events.invite_organizer(author, event, self.org(name).id)
            if accepted:
                admins = memberships.admin_ids(self.org(name))
                admin = _required(db.session.get(User, admins[0]) if admins else None, f"an admin of {name}")
                events.decide_organizer(admin, invitation, True)
        for language, title, description in spec.translations:
            events.set_translation(author, event, language, title, description)
        back = -7 * weeks_later
        for session in events.list_sessions(event) if spec.weeks > 1 else ():  # planned closures, known beforehand
            reason = closed(events.local(_wall(session.starts_at, back)).date(), institution)
            if reason:
                events.cancel_session(author, session, reason)
        self.register(spec, event, author, people)
        self.change_dates(spec, event, author, back)
        if weeks_later:
            self.move_back(event, weeks_later)
        self.check_in(event, author)
        self.backdate(event, n, changed=bool(spec.cancel_date or spec.move_date))
        return event

    def publish(self, spec: DemoEvent, org: Organization, author: User, first: date) -> Event:
        draft = events.EventDraft(
            title=spec.title, description=spec.description, kind=spec.kind, starts_on=first,
            start_time=time.fromisoformat(spec.start) if spec.start else None,
            end_time=time.fromisoformat(spec.end) if spec.end else None,
            language=spec.language, action=spec.action, mode=spec.mode, venue=spec.venue, address=spec.address,
            territory=spec.place, online_url=spec.online_url, online_url_registrants_only=spec.registrants_only,
            step_free=spec.step_free, childcare=spec.childcare, interpretation_languages=list(spec.interpretation),
            languages=list(spec.languages), accessibility_notes=spec.notes, all_day=not spec.start,
            recurrence="weekly" if spec.weeks > 1 else "none",
            repeat_until=first + timedelta(weeks=spec.weeks - 1) if spec.weeks > 1 else None,
            registration_mode=spec.registration, capacity=spec.capacity,
            lab_id=self.lab_id(spec.lab),
        )
        try:
            event = events.create_event(author, org, draft)
        except ValidationFailed as exc:
            raise ValueError(f"demo data: {spec.title!r} is not valid: {exc.errors}") from None
        if spec.forum is not None:
            region, action = spec.forum
            event.forum_id = forums.forum_for(territories.get_by_code(region), action).id
            db.session.flush()
        return event

    @staticmethod
    def lab_id(title: str) -> int | None:
        return db.session.scalar(select(Lab.id).where(Lab.title == title)) if title else None

    def registrants(self, spec: DemoEvent) -> list[User]:
        named = [self.user(email) for email in spec.people]
        taken = {u.id for u in named}
        crowd = [u for u in self.residents(spec.place) if u.id not in taken][: spec.crowd]
        if len(crowd) != spec.crowd:
            raise ValueError(f"demo data: not enough residents to register for {spec.title!r}")
        return named + crowd + [self.user(email) for email in spec.late]

    def register(self, spec: DemoEvent, event: Event, author: User, people: list[User]) -> None:
        sessions = events.list_sessions(event)
        for person in people:
            if spec.weeks > 1:
                registrations.register_series(person, event)
            else:
                registrations.register(person, sessions[0])
        for email in spec.cancel:
            registrations.cancel_registration(self.user(email), sessions[0])
        decisions = [(email, True) for email in spec.approve] + [(email, False) for email in spec.decline]
        for email, approve in decisions:
            found = _required(registrations.registration_of(self.user(email), sessions[0]), f"the request of {email}")
            registrations.decide_registration(author, found, approve)

    def change_dates(self, spec: DemoEvent, event: Event, author: User, back: int) -> None:
        """The organisers cancel the next date of the series and move the one after it to the following day
        (``back``: days from the dates as published to the real ones)."""
        if not (spec.cancel_date or spec.move_date):
            return
        institution = event.organization.kind in INSTITUTIONS
        upcoming = [s for s in events.list_sessions(event)
                    if s.status == SessionStatus.SCHEDULED and _wall(s.starts_at, back) > self.now]
        if spec.cancel_date:
            events.cancel_session(author, upcoming.pop(0), spec.cancel_date)
        for session in upcoming if spec.move_date else ():
            real_day = events.local(_wall(session.starts_at, back)).date()
            if not closed(real_day + timedelta(days=1), institution):
                at, until = events.local(session.starts_at).time(), events.local(session.ends_at).time()
                day = events.local(session.starts_at).date() + timedelta(days=1)
                events.change_session(author, session, events.SessionChange(day=day, start=at, end=until, note=spec.move_date))
                break

    def move_back(self, event: Event, weeks: int) -> None:
        """Put a series published later back on its real dates, first date first (the slots stay unique)."""
        days = -7 * weeks
        for session in events.list_sessions(event):
            session.original_start = _wall(session.original_start, days)
            session.starts_at = _wall(session.starts_at, days)
            session.ends_at = _wall(session.ends_at, days)
            db.session.flush()
        event.starts_at, event.ends_at = _wall(event.starts_at, days), _wall(event.ends_at, days)
        db.session.flush()

    def check_in(self, event: Event, author: User) -> None:
        """Past dates: the organisers checked in the people who came (about four in five)."""
        for session in events.list_sessions(event):
            if session.is_cancelled or session.ends_at >= self.now:
                continue
            confirmed = [r for r in registrations.attendees(author, session) if r.status == RegistrationStatus.CONFIRMED]
            for i, registration in enumerate(confirmed):
                if i % 5 != 3:
                    registrations.set_attended(author, registration, True)
                    registration.attended_at = session.starts_at + timedelta(minutes=3 + (7 * i) % 25)
        db.session.flush()

    # ------------------------------------------------------------ moving what happened to when it happened

    def backdate(self, event: Event, n: int, changed: bool) -> None:
        """Publication some days before the first date, registrations in between, decisions soon after
        (``changed``: the organisers changed dates just now)."""
        first_start = min(s.starts_at for s in events.list_sessions(event))
        published = min(first_start, self.now) - timedelta(days=9 + (5 * n) % 13, hours=(3 * n) % 7)
        event.created_at = published
        event.updated_at = self.now - timedelta(hours=2) if changed else published
        for invitation in db.session.scalars(select(EventOrganizer).where(EventOrganizer.event_id == event.id)):
            invitation.created_at = published + timedelta(hours=1)
            if invitation.decided_at is not None:
                invitation.decided_at = min(published + timedelta(days=1, hours=2), self.now)
        about = update(Notification).where(Notification.target_type == "event", Notification.target_id == event.id)
        db.session.execute(about.where(Notification.kind == "event.organizer_invited").values(created_at=published + timedelta(hours=1)))
        self._backdate_registrations(event, published)
        db.session.flush()

    def _backdate_registrations(self, event: Event, published: datetime) -> None:
        """People registered one after the other between publication and the first date (or now); for
        dates already past, the organisers' decisions came soon after the requests."""
        rows = db.session.execute(
            select(Registration.id, Registration.session_id, Registration.position, Registration.decided_at, EventSession.ends_at)
            .join(EventSession, EventSession.id == Registration.session_id).where(EventSession.event_id == event.id)
            .order_by(Registration.session_id, Registration.position)
        ).all()
        if not rows:
            return
        start = published + timedelta(hours=3)
        window = min(event.starts_at - timedelta(hours=6), self.now - timedelta(hours=1)) - start
        per_session = Counter(row.session_id for row in rows)
        changes, decided, rank, session_id = [], {}, 0, None
        for row in rows:
            rank = rank + 1 if row.session_id == session_id else 1
            session_id = row.session_id
            step = window / (per_session[session_id] + 1)
            created = start + step * rank
            change = {"id": row.id, "created_at": created}
            if row.decided_at is not None and (row.ends_at < self.now or row.decided_at < created):
                change["decided_at"] = decided[f"decided-{row.id}-{row.position}"] = created + min(step / 2, timedelta(days=1))
            changes.append(change)
        db.session.execute(update(Registration), changes)
        if decided:
            notes = db.session.execute(select(Notification.id, Notification.dedupe_key).where(
                Notification.target_type == "event", Notification.target_id == event.id, Notification.dedupe_key.in_(decided)))
            db.session.execute(update(Notification), [{"id": i, "created_at": decided[key]} for i, key in notes])
