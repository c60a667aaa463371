"""The long texts of the demo initiatives (``demo_initiatives``): the extra organisations they
need, titles, objectives and Markdown descriptions in Italian with their translations, the cards
of the good practices and the case histories. Plain wording, as the people who run the
initiatives would write it.

Texts never name a year or a month of a date the demo computes (dates move with today),
except the months of a school year, which every school year has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from app.services.demo_labs import IC_PE


class InitiativeText(NamedTuple):
    title: str
    objectives: str  # one per line
    description: str  # Markdown, in Italian
    translations: tuple[tuple[str, str, str], ...] = ()  # (language, title, description)


class PracticeText(NamedTuple):
    title: str
    problem: str
    method: str
    results: str
    replication: str
    contact: str


class CaseText(NamedTuple):
    title: str
    summary: str
    body: str


# ---------------------------------------------------------------- extra organisations

IC5_BO = "Istituto Comprensivo 5 Bologna"
IC_MI = "Istituto Comprensivo Crescenzago"
IC_BA = "Istituto Comprensivo Bari Libertà"
IC_PO = "Istituto Comprensivo Prato Macrolotto"
CPIA_LE = "CPIA 1 Lecce"
ASL_PO = "Azienda USL Toscana Centro – Zona Pratese"
ASL_PE = "ASL di Pescara – Ufficio Formazione"
PREF_PO = "Prefettura di Prato – Consiglio territoriale per l'immigrazione"
REGIONE_ER = "Regione Emilia-Romagna – Settore Politiche sociali e Inclusione"
CSV_BO = "Centro di servizio per il volontariato di Bologna"
RADICI = "Radici e Ali – giovani di Prato"


@dataclass(frozen=True)
class NewOrg:
    name: str
    kind: str
    home: str  # ISTAT code
    staff: str  # who runs it on the platform (cannot log in)
    languages: tuple[str, ...]
    areas: tuple[str, ...]
    description: str
    extra: tuple[tuple[str, str], ...] = ()  # OrganizationDraft fields
    verified: bool = True


NEW_ORGS = (
    NewOrg(IC5_BO, "school", "037006", "Maria Grazia Sangiorgi", ("it", "uk", "ar"), ("action_01", "peer_education"),
           "Scuole dell'infanzia, primarie e la scuola media del quartiere Navile. Accoglienza degli alunni arrivati da poco, "
           "tutor alla pari, italiano per studiare.", (("school_level", "comprehensive"),)),
    NewOrg(IC_MI, "school", "015146", "Roberta Brivio", ("it", "bn", "es"), ("action_01", "orientation"),
           "Primaria e scuola media tra via Padova e Crescenzago. Laboratori di italiano L2 e orientamento alle superiori con "
           "le famiglie.", (("school_level", "comprehensive"),)),
    NewOrg(IC_BA, "school", "072006", "Angela Digregorio", ("it", "ar", "fr"), ("action_01", "mediation"),
           "Infanzia, primaria e media nel quartiere Libertà. Colloqui con mediazione e un pomeriggio al mese di scuola aperta "
           "per i genitori.", (("school_level", "comprehensive"),)),
    NewOrg(IC_PO, "school", "100005", "Silvia Baldi", ("it", "zh", "ur"), ("action_01", "mediation", "italian_l2"),
           "Istituto comprensivo del Macrolotto Zero: quasi metà degli alunni ha genitori nati all'estero. Italiano L2, "
           "mediazione ai colloqui, compiti insieme il pomeriggio.", (("school_level", "comprehensive"),)),
    NewOrg(CPIA_LE, "school", "075035", "Anna Rita Greco", ("it", "fr", "en"), ("action_01", "italian_l2"),
           "Centro provinciale per l'istruzione degli adulti di Lecce: italiano L2 dal pre-A1 al B1, esami di livello, "
           "licenza media.", (("school_level", "cpia"),)),
    NewOrg(ASL_PO, "local_authority", "100005", "Stefano Risaliti", ("it", "zh"), ("action_02", "health", "mediation"),
           "I servizi sanitari e socio-sanitari della Zona Pratese: consultori, pediatria, mediazione linguistica in ospedale.",
           (("authority_type", "asl"),)),
    NewOrg(ASL_PE, "local_authority", "068028", "Giovanna Di Federico", ("it",), ("action_02", "health"),
           "L'ufficio che cura la formazione del personale della ASL di Pescara e i rapporti con Comuni, scuole e associazioni.",
           (("authority_type", "asl"),)),
    NewOrg(PREF_PO, "local_authority", "100005", "Carla Meoni", ("it",), ("action_02", "action_03"),
           "Il Consiglio territoriale per l'immigrazione della Prefettura di Prato: coordina enti pubblici, sindacati e "
           "associazioni sui temi dell'immigrazione.", (("authority_type", "prefettura"),)),
    NewOrg(REGIONE_ER, "local_authority", "037006", "Daniela Ferrari", ("it", "en"), ("action_01", "action_02", "action_03", "action_04"),
           "Il settore della Regione che programma gli interventi per l'integrazione dei cittadini stranieri e finanzia i "
           "progetti di Comuni, scuole e associazioni.", (("authority_type", "regione"), ("authority_istat_code", "08"))),
    NewOrg(CSV_BO, "third_sector", "037006", "Marco Tinti", ("it", "en"), ("action_04", "volunteering"),
           "Consulenza gratuita ad associazioni e gruppi di volontariato: statuti, RUNTS, bilanci, assicurazioni, progetti.",
           (("third_sector_type", "volunteer_org"),)),
    NewOrg(RADICI, "youth_association", "100005", "Anxhela Duka", ("it", "zh", "ur", "sq", "ro"), ("action_04", "volunteering"),
           "Giovani di Prato figli di famiglie arrivate dalla Cina, dal Pakistan, dall'Albania e dalla Romania. Volontariato, "
           "cittadinanza attiva, un punto informativo in piazza d'estate.", (("legal_form", "aps"), ("founding_year", "2021")),
           verified=False),
)

# Intercultural contact people of the host schools: name, school e-mail, phone.
CONTACTS = {
    IC_PE: ("Francesca Di Carlo", "f.dicarlo@icpescara3.edu.it", "085 421 7730"),
    IC_MI: ("Roberta Brivio", "intercultura@iccrescenzago.edu.it", "02 8846 5120"),
    IC5_BO: ("Maria Grazia Sangiorgi", "intercultura@ic5bologna.edu.it", "051 632 1458"),
    CPIA_LE: ("Anna Rita Greco", "accoglienza@cpia1lecce.edu.it", "0832 318 442"),
    IC_BA: ("Angela Digregorio", "intercultura@icbariliberta.edu.it", "080 524 6391"),
    IC_PO: ("Silvia Baldi", "intercultura@icpratomacrolotto.edu.it", "0574 460 218"),
}


INITIATIVES: dict[str, InitiativeText] = {
    # ------------------------------------------------------------ Abruzzo
    "peer_pescara": InitiativeText(
        "Ci vediamo a ricreazione – tutor alla pari alla scuola media",
        "Accogliere nelle classi prime chi è arrivato in Italia da meno di due anni\n"
        "Formare 20 tutor delle classi terze, italiani e di origine straniera\n"
        "Migliorare l'italiano per studiare, con esercizi a coppie\n"
        "Coinvolgere le famiglie albanesi, arabe e romene nella vita della scuola",
        "Alla scuola media dell'Istituto Comprensivo Pescara 3 un alunno su cinque è nato all'estero o ha genitori stranieri. "
        "Chi arriva durante l'anno spesso resta solo a ricreazione e fatica a seguire le lezioni.\n\n"
        "Con **Ci vediamo a ricreazione** ragazze e ragazzi di terza, formati come tutor, accompagnano i compagni di prima "
        "arrivati da poco:\n\n"
        "- ogni lunedì pomeriggio, due ore di laboratorio nell'aula polifunzionale\n"
        "- giochi per conoscersi, le regole della scuola, l'italiano per studiare\n"
        "- a maggio, una festa finale con le famiglie\n\n"
        "La Comunità Albanese d'Abruzzo forma i tutor insieme alla referente per l'intercultura della scuola e tiene i "
        "contatti con le famiglie, anche in albanese.",
        (
            ("sq", "Shihemi në pushim – tutorë mes moshatarëve në shkollën e mesme të ulët",
             "Në shkollën e mesme të ulët të Istituto Comprensivo Pescara 3, një nxënës në pesë ka lindur jashtë vendit ose ka "
             "prindër të huaj. Kush vjen gjatë vitit shkollor shpesh mbetet vetëm gjatë pushimit dhe e ka të vështirë të "
             "ndjekë mësimet.\n\n"
             "Me **Shihemi në pushim**, vajza dhe djem të klasës së tretë, të përgatitur si tutorë, shoqërojnë shokët e "
             "klasës së parë që kanë ardhur së fundmi:\n\n"
             "- çdo të hënë pasdite, dy orë laborator në sallën polivalente\n"
             "- lojëra për t'u njohur, rregullat e shkollës, italishtja për të mësuar\n"
             "- në maj, një festë përmbyllëse me familjet\n\n"
             "Komuniteti Shqiptar i Abruzzos i përgatit tutorët bashkë me mësuesen përgjegjëse për ndërkulturën dhe mban "
             "kontaktet me familjet, edhe në shqip."),
            ("en", "See you at break time – peer tutors at lower secondary school",
             "At the lower secondary school of Istituto Comprensivo Pescara 3, one pupil in five was born abroad or has "
             "foreign parents. Pupils who arrive during the year are often alone at break time and find it hard to follow "
             "lessons.\n\n"
             "With **See you at break time**, third-year girls and boys trained as tutors support first-year classmates who "
             "have just arrived:\n\n"
             "- every Monday afternoon, a two-hour workshop in the multi-purpose room\n"
             "- games to get to know each other, the school rules, Italian for studying\n"
             "- in May, a final party with the families\n\n"
             "Comunità Albanese d'Abruzzo trains the tutors with the school's intercultural contact teacher and keeps in "
             "touch with families, in Albanian too."),
            ("ar", "نلتقي في الاستراحة – تلاميذ مرشدون لزملائهم في المدرسة الإعدادية",
             "في المدرسة الإعدادية التابعة لـ Istituto Comprensivo Pescara 3، تلميذ من كل خمسة وُلد في الخارج أو والداه "
             "أجنبيان. من يصل خلال السنة الدراسية يبقى غالبًا وحيدًا في الاستراحة ويجد صعوبة في متابعة الدروس.\n\n"
             "في مشروع **نلتقي في الاستراحة**، يرافق تلاميذ وتلميذات من الصف الثالث، بعد تدريبهم كمرشدين، زملاءهم في "
             "الصف الأول الذين وصلوا حديثًا:\n\n"
             "- كل يوم اثنين بعد الظهر، ورشة لمدة ساعتين في القاعة متعددة الاستعمالات\n"
             "- ألعاب للتعارف، وقواعد المدرسة، واللغة الإيطالية للدراسة\n"
             "- في شهر مايو، حفلة ختامية مع العائلات\n\n"
             "تدرّب جمعية الجالية الألبانية في أبروتسو المرشدين مع المعلمة المسؤولة عن التعدد الثقافي في المدرسة، "
             "وتبقى على تواصل مع العائلات، بالألبانية أيضًا."),
        ),
    ),
    "training_pescara": InitiativeText(
        "Servizi per tutti – formazione per operatrici e operatori a Pescara",
        "Formare 60 operatrici e operatori dei servizi sociali, della sanità, della scuola e degli sportelli\n"
        "Chiarire le regole su permessi di soggiorno, iscrizione al Servizio sanitario e residenza\n"
        "Imparare a lavorare con la mediazione linguistica\n"
        "Scrivere insieme materiali in lingua facile",
        "Quattro giornate di formazione per chi lavora nei servizi sociali del Comune, nella ASL, nelle scuole e negli "
        "sportelli delle associazioni.\n\n"
        "- salute e accesso ai servizi, con la ASL di Pescara\n"
        "- residenza, permessi di soggiorno e ricongiungimento familiare\n"
        "- scuola e famiglie, con l'Istituto Comprensivo Pescara 3\n"
        "- scrivere in lingua facile\n\n"
        "Ogni giornata ha una parte pratica su casi veri, raccontati senza dati personali. Per il personale del Comune la "
        "partecipazione vale come formazione obbligatoria.",
    ),
    # ------------------------------------------------------------ Lombardia
    "peer_milano": InitiativeText(
        "Compiti insieme – doposcuola tra pari a Crescenzago",
        "Aiutare 40 ragazze e ragazzi delle medie con i compiti e con l'italiano per studiare\n"
        "Dare a studenti delle superiori di seconda generazione un ruolo di tutor\n"
        "Tenere aperto il doposcuola due pomeriggi a settimana, da ottobre a giugno\n"
        "Parlare con le famiglie nella loro lingua, quando serve",
        "Il doposcuola nato dal laboratorio di quartiere di via Padova. Ragazze e ragazzi delle superiori, molti di seconda "
        "generazione, aiutano quelli delle medie con i compiti e con l'italiano per studiare.\n\n"
        "- **quando**: martedì e giovedì, dalle 16:30 alle 18:30\n"
        "- **dove**: biblioteca di Crescenzago, sala grande\n"
        "- **chi**: un'educatrice del Municipio 2 e dodici tutor volontari\n\n"
        "La scuola media di Crescenzago indica chi ha più bisogno e tiene il contatto con gli insegnanti. Cerchiamo nuovi "
        "tutor per il gruppo del martedì: potete candidarvi qui sotto.",
        (
            ("bn", "একসঙ্গে বাড়ির কাজ – ক্রেশেনজাগোতে সহপাঠীদের পড়াশোনার সহায়তা",
             "ভিয়া পাদোভার পাড়ার ল্যাবরেটরি থেকে জন্ম নেওয়া পড়াশোনার সহায়তা। হাই স্কুলের ছেলেমেয়েরা, যাদের অনেকেই "
             "দ্বিতীয় প্রজন্মের, মিডল স্কুলের ছাত্রছাত্রীদের বাড়ির কাজ আর পড়াশোনার ইতালীয় ভাষায় সাহায্য করে।\n\n"
             "- **কখন**: মঙ্গলবার ও বৃহস্পতিবার, বিকেল ৪:৩০ থেকে ৬:৩০\n"
             "- **কোথায়**: ক্রেশেনজাগো লাইব্রেরি, বড় হল\n"
             "- **কারা**: মিউনিসিপিও ২-এর একজন শিক্ষাকর্মী এবং বারোজন স্বেচ্ছাসেবী টিউটর\n\n"
             "ক্রেশেনজাগোর মিডল স্কুল জানায় কাদের বেশি সাহায্য দরকার এবং শিক্ষকদের সঙ্গে যোগাযোগ রাখে। মঙ্গলবারের "
             "দলের জন্য আমরা নতুন টিউটর খুঁজছি: নিচে আবেদন করতে পারেন।"),
            ("en", "Homework together – peer after-school club in Crescenzago",
             "The after-school club that grew out of the via Padova neighbourhood lab. Upper secondary students, many of them "
             "second generation, help lower secondary pupils with homework and with Italian for studying.\n\n"
             "- **when**: Tuesday and Thursday, 16:30 to 18:30\n"
             "- **where**: Crescenzago library, main hall\n"
             "- **who**: an educator from Municipio 2 and twelve volunteer tutors\n\n"
             "The Crescenzago lower secondary school tells us who needs help most and keeps in touch with the teachers. We are "
             "looking for new tutors for the Tuesday group: you can apply below."),
            ("ur", "مل کر ہوم ورک – کریشینزاگو میں ہم عمر طلبہ کی مدد",
             "یہ اسکول کے بعد کی کلاس ویا پادووا کی محلہ لیبارٹری سے شروع ہوئی۔ ہائی اسکول کے لڑکے لڑکیاں، جن میں سے بہت "
             "سے دوسری نسل سے ہیں، مڈل اسکول کے طلبہ کی ہوم ورک اور پڑھائی کی اطالوی زبان میں مدد کرتے ہیں۔\n\n"
             "- **کب**: منگل اور جمعرات، شام 4:30 سے 6:30 تک\n"
             "- **کہاں**: کریشینزاگو لائبریری، بڑا ہال\n"
             "- **کون**: میونسپیو 2 کی ایک تربیت کار اور بارہ رضاکار ٹیوٹر\n\n"
             "کریشینزاگو کا مڈل اسکول بتاتا ہے کہ کس کو زیادہ مدد کی ضرورت ہے اور اساتذہ سے رابطہ رکھتا ہے۔ ہمیں منگل کے "
             "گروپ کے لیے نئے ٹیوٹر چاہییں: آپ نیچے درخواست دے سکتے ہیں۔"),
        ),
    ),
    "orientation_milano": InitiativeText(
        "Scegliere le superiori in più lingue",
        "Spiegare alle famiglie licei, istituti tecnici e professionali prima delle iscrizioni di gennaio\n"
        "Aiutare a leggere il consiglio orientativo della scuola media\n"
        "Offrire mediazione in bengalese, arabo, cinese e spagnolo\n"
        "Aiutare a compilare la domanda di iscrizione online",
        "A gennaio le famiglie iscrivono i figli alle superiori, online. Chi è arrivato da poco spesso non conosce la "
        "differenza tra liceo, istituto tecnico e professionale, e sceglie in fretta.\n\n"
        "Con la scuola media di Crescenzago e i giovani di seconda generazione il Municipio 2 propone:\n\n"
        "- un incontro online in bengalese con ragazze e ragazzi che hanno già scelto\n"
        "- una mattinata di orientamento con insegnanti, studenti e mediatori\n"
        "- uno sportello in biblioteca per compilare la domanda di iscrizione\n\n"
        "Tutto è gratuito. Mediatrici e mediatori parlano bengalese, arabo, cinese e spagnolo.",
        (
            ("bn", "কয়েকটি ভাষায় হাই স্কুল বেছে নেওয়া",
             "জানুয়ারিতে পরিবারগুলো অনলাইনে সন্তানদের হাই স্কুলে ভর্তি করায়। যারা সম্প্রতি এসেছেন, তারা প্রায়ই লিচেও, "
             "টেকনিক্যাল ইনস্টিটিউট আর ভোকেশনাল ইনস্টিটিউটের পার্থক্য জানেন না, আর তাড়াহুড়ো করে বেছে নেন।\n\n"
             "ক্রেশেনজাগোর মিডল স্কুল এবং দ্বিতীয় প্রজন্মের তরুণদের সঙ্গে মিউনিসিপিও ২ আয়োজন করছে:\n\n"
             "- বাংলায় একটি অনলাইন সভা, যারা ইতিমধ্যে স্কুল বেছে নিয়েছে সেই ছেলেমেয়েদের সঙ্গে\n"
             "- শিক্ষক, ছাত্রছাত্রী ও দোভাষীদের সঙ্গে একটি সকালের পরামর্শ সভা\n"
             "- ভর্তির আবেদন পূরণের জন্য লাইব্রেরিতে একটি সহায়তা কেন্দ্র\n\n"
             "সবকিছু বিনামূল্যে। দোভাষীরা বাংলা, আরবি, চীনা ও স্প্যানিশ বলেন।"),
            ("ar", "اختيار المدرسة الثانوية بعدة لغات",
             "في شهر يناير تسجّل العائلات أبناءها في المدارس الثانوية عبر الإنترنت. من وصل حديثًا لا يعرف غالبًا الفرق بين "
             "الليسيو والمعهد التقني والمعهد المهني، فيختار على عجل.\n\n"
             "مع المدرسة الإعدادية في كريشنزاغو والشباب من الجيل الثاني، تقترح البلدية الفرعية رقم 2:\n\n"
             "- لقاءً عبر الإنترنت باللغة البنغالية مع شباب وشابات اختاروا مدرستهم من قبل\n"
             "- صباحًا للتوجيه مع معلمين وطلاب ووسطاء ثقافيين\n"
             "- شباكًا في المكتبة لملء طلب التسجيل\n\n"
             "كل شيء مجاني. يتحدث الوسطاء البنغالية والعربية والصينية والإسبانية."),
            ("zh_Hans", "用多种语言选择高中",
             "每年一月，家长要在网上为孩子报名高中。刚来不久的家庭往往不了解普通高中（liceo）、技术学校和职业学校的区别，"
             "选择时很匆忙。\n\n"
             "米兰第二区政府与 Crescenzago 初中以及第二代青年一起提供：\n\n"
             "- 一场孟加拉语线上交流会，由已经选好学校的青年分享经验\n"
             "- 一个上午的升学指导活动，有老师、学生和语言调解员参加\n"
             "- 在图书馆设立服务窗口，帮助填写网上报名表\n\n"
             "所有活动免费。调解员会说孟加拉语、阿拉伯语、中文和西班牙语。"),
            ("es", "Elegir la secundaria superior en varios idiomas",
             "En enero las familias inscriben a sus hijos en la secundaria superior, por internet. Quien llegó hace poco a "
             "menudo no conoce la diferencia entre liceo, instituto técnico e instituto profesional, y elige con prisa.\n\n"
             "Con la escuela media de Crescenzago y los jóvenes de segunda generación, el Municipio 2 propone:\n\n"
             "- un encuentro en línea en bengalí con chicas y chicos que ya han elegido\n"
             "- una mañana de orientación con profesores, estudiantes y mediadores\n"
             "- una ventanilla en la biblioteca para rellenar la solicitud de inscripción\n\n"
             "Todo es gratuito. Las mediadoras y los mediadores hablan bengalí, árabe, chino y español."),
        ),
    ),
    # ------------------------------------------------------------ Emilia-Romagna
    "peer_bologna": InitiativeText(
        "Pari e dispari – tutor alla pari per chi arriva a metà anno",
        "Formare tutor alla pari nelle classi seconde e terze\n"
        "Accompagnare per tre mesi ogni alunna o alunno arrivato durante l'anno\n"
        "Ridurre le assenze dei nuovi arrivati nei primi mesi\n"
        "Preparare materiali che altre scuole possano riusare",
        "Alla scuola media dell'Istituto Comprensivo 5, nel quartiere Navile, ogni anno arrivano a metà anno più di trenta "
        "ragazze e ragazzi da altri paesi. **Pari e dispari** ha formato un gruppo di tutor alla pari, italiani e di origine "
        "straniera, che per tre mesi accompagnano chi arriva:\n\n"
        "- il primo giorno di scuola e il giro dell'istituto\n"
        "- un'ora a settimana di compiti insieme\n"
        "- una chat di classe con il tutor, anche nella lingua d'origine\n\n"
        "Un'educatrice del Comune ha formato i tutor e li ha incontrati ogni due settimane. Donne Ucraine a Bologna ha fatto "
        "da ponte con le famiglie ucraine. Il progetto è concluso ed è diventato una buona pratica.",
        (
            ("en", "Odds and evens – peer tutors for pupils who arrive mid-year",
             "At the lower secondary school of Istituto Comprensivo 5, in the Navile district, more than thirty girls and boys "
             "from other countries arrive in the middle of every school year. **Odds and evens** trained a group of peer "
             "tutors, Italian and of foreign origin, who support each newcomer for three months:\n\n"
             "- the first school day and a tour of the building\n"
             "- one hour of homework together every week\n"
             "- a class chat with the tutor, in the home language too\n\n"
             "An educator from the Comune trained the tutors and met them every two weeks. Donne Ucraine a Bologna was the "
             "bridge to Ukrainian families. The project is finished and has become a good practice."),
        ),
    ),
    "l2_bologna": InitiativeText(
        "Italiano con spazio bimbi – corsi per mamme e papà al Navile",
        "Offrire corsi di italiano A1 e A2 a genitori con bambini piccoli\n"
        "Tenere uno spazio bimbi con un'educatrice durante ogni lezione\n"
        "Portare almeno metà delle corsiste all'esame A2\n"
        "Far conoscere alle famiglie i servizi del quartiere",
        "Molte mamme arrivate da poco non vanno ai corsi di italiano perché non sanno a chi lasciare i bambini. Al CPIA, "
        "nella sede Navile, le lezioni si fanno con uno **spazio bimbi** nell'aula accanto.\n\n"
        "- corso A1 il mercoledì e corso A2 il venerdì, dalle 9:30 alle 11:30\n"
        "- un'educatrice e una volontaria di Donne Ucraine a Bologna stanno con i bambini da 1 a 5 anni\n"
        "- libro e quaderno li dà la scuola\n\n"
        "A gennaio apriamo le iscrizioni ai nuovi corsi, con un test di livello e mediatrici in più lingue.",
        (
            ("uk", "Італійська з дитячою кімнатою – курси для мам і тат у районі Навіле",
             "Багато мам, які нещодавно приїхали, не ходять на курси італійської, бо не мають з ким залишити дітей. У CPIA, "
             "у приміщенні Навіле, уроки проходять разом із **дитячою кімнатою** в сусідньому класі.\n\n"
             "- курс A1 у середу і курс A2 у п'ятницю, з 9:30 до 11:30\n"
             "- вихователька і волонтерка з «Donne Ucraine a Bologna» доглядають за дітьми від 1 до 5 років\n"
             "- підручник і зошит дає школа\n\n"
             "У січні відкриваємо запис на нові курси, з тестом рівня і посередницями, які говорять кількома мовами."),
            ("ar", "الإيطالية مع مساحة للأطفال – دورات للأمهات والآباء في حي نافيلي",
             "كثير من الأمهات الواصلات حديثًا لا يذهبن إلى دورات اللغة الإيطالية لأنهن لا يعرفن عند من يتركن أطفالهن. "
             "في مركز CPIA، في مقر نافيلي، تُقام الدروس مع **مساحة للأطفال** في القاعة المجاورة.\n\n"
             "- دورة A1 يوم الأربعاء ودورة A2 يوم الجمعة، من 9:30 إلى 11:30\n"
             "- مربية ومتطوعة من جمعية «Donne Ucraine a Bologna» تعتنيان بالأطفال من سنة إلى 5 سنوات\n"
             "- الكتاب والدفتر تقدمهما المدرسة\n\n"
             "في شهر يناير نفتح التسجيل في الدورات الجديدة، مع اختبار لتحديد المستوى ووسيطات يتحدثن عدة لغات."),
            ("en", "Italian with a children's corner – courses for mothers and fathers in Navile",
             "Many mothers who arrived recently do not go to Italian courses because they have nobody to leave their children "
             "with. At the CPIA, in the Navile building, lessons take place with a **children's corner** in the room next "
             "door.\n\n"
             "- A1 course on Wednesday and A2 course on Friday, 9:30 to 11:30\n"
             "- an educator and a volunteer from Donne Ucraine a Bologna look after children aged 1 to 5\n"
             "- the school gives you the book and the exercise book\n\n"
             "In January we open registration for the new courses, with a level test and mediators who speak several "
             "languages."),
        ),
    ),
    "capacity_bologna": InitiativeText(
        "Da gruppo ad associazione – accompagnamento per associazioni di migranti",
        "Accompagnare cinque gruppi informali a diventare associazioni (APS o ODV)\n"
        "Spiegare statuto, iscrizione al RUNTS, bilancio e assicurazione dei volontari\n"
        "Insegnare a scrivere un progetto e a rispondere a un avviso pubblico\n"
        "Mettere in rete le nuove associazioni con i Quartieri",
        "Molti gruppi di persone migranti aiutano già famiglie e vicini, ma senza una forma giuridica non possono firmare "
        "convenzioni, avere una sede o partecipare ai bandi.\n\n"
        "Il percorso, con il Centro di servizio per il volontariato, prevede:\n\n"
        "- sei incontri serali: statuto, RUNTS, bilancio, assicurazione dei volontari, progetti, comunicazione\n"
        "- uno sportello su appuntamento per ogni gruppo\n"
        "- l'assemblea costitutiva accompagnata, quando il gruppo è pronto\n\n"
        "Il primo gruppo a fare il passo è Donne Ucraine a Bologna, che terrà a breve la sua assemblea costitutiva.",
        (
            ("uk", "Від групи до асоціації – супровід для асоціацій мігрантів",
             "Багато груп мігрантів уже допомагають родинам і сусідам, але без юридичної форми вони не можуть підписувати "
             "угоди, мати приміщення чи брати участь у конкурсах.\n\n"
             "Програма, разом із Центром підтримки волонтерства, передбачає:\n\n"
             "- шість вечірніх зустрічей: статут, реєстр RUNTS, бюджет, страхування волонтерів, проєкти, комунікація\n"
             "- консультації за записом для кожної групи\n"
             "- супровід установчих зборів, коли група готова\n\n"
             "Першою цей крок робить група «Donne Ucraine a Bologna», яка незабаром проведе свої установчі збори."),
            ("en", "From group to association – support for migrant associations",
             "Many groups of migrants already help families and neighbours, but without a legal form they cannot sign "
             "agreements, have premises or apply for public funding.\n\n"
             "The programme, run with the volunteering service centre, offers:\n\n"
             "- six evening meetings: statute, RUNTS register, accounts, volunteers' insurance, projects, communication\n"
             "- a help desk by appointment for each group\n"
             "- support for the founding assembly, when the group is ready\n\n"
             "The first group to take the step is Donne Ucraine a Bologna, which will soon hold its founding assembly."),
        ),
    ),
    # ------------------------------------------------------------ Puglia
    "l2_lecce": InitiativeText(
        "Italiano del sabato – la scuola di italiano di Teranga",
        "Tenere un corso A2 ogni sabato mattina, da ottobre a maggio\n"
        "Preparare chi lo desidera all'esame A2 con il CPIA di Lecce\n"
        "Usare esempi della vita di tutti i giorni: lavoro, casa, medico, scuola dei figli",
        "Da anni, il sabato mattina, la sede di Teranga diventa una scuola. Quest'anno il corso è di livello A2, per chi sa "
        "già presentarsi e vuole parlare di lavoro, casa, salute e scuola dei figli.\n\n"
        "- insegnano due docenti in pensione e una studentessa dell'Università del Salento\n"
        "- il CPIA di Lecce prepara con noi le prove e a fine corso ospita l'esame A2\n"
        "- il materiale è gratis; c'è un angolo giochi con una volontaria\n\n"
        "Non serve iscriversi: chi vuole provare viene il sabato alle 10.",
        (
            ("fr", "L'italien du samedi – l'école d'italien de Teranga",
             "Depuis des années, le samedi matin, les locaux de Teranga deviennent une école. Cette année, le cours est de "
             "niveau A2, pour celles et ceux qui savent déjà se présenter et veulent parler du travail, du logement, de la "
             "santé et de l'école des enfants.\n\n"
             "- deux enseignants à la retraite et une étudiante de l'Université du Salento font cours\n"
             "- le CPIA de Lecce prépare les épreuves avec nous et accueille l'examen A2 à la fin du cours\n"
             "- le matériel est gratuit ; il y a un coin jeux avec une bénévole\n\n"
             "Pas besoin de s'inscrire : qui veut essayer vient le samedi à 10 heures."),
            ("en", "Saturday Italian – Teranga's Italian school",
             "For years, on Saturday mornings, Teranga's premises have turned into a school. This year the course is at A2 "
             "level, for people who can already introduce themselves and want to talk about work, housing, health and their "
             "children's school.\n\n"
             "- two retired teachers and a student from the University of Salento teach\n"
             "- the CPIA of Lecce prepares the tests with us and hosts the A2 exam at the end of the course\n"
             "- materials are free; there is a play corner with a volunteer\n\n"
             "No need to register: if you want to try, come on Saturday at 10."),
        ),
    ),
    "family_bari": InitiativeText(
        "Genitori a scuola – famiglie e scuola nel quartiere Libertà",
        "Far partecipare ai colloqui i genitori che non parlano ancora bene l'italiano\n"
        "Tradurre in cinque lingue gli avvisi e i moduli più importanti della scuola\n"
        "Aprire la scuola alle famiglie un pomeriggio al mese",
        "Nel quartiere Libertà molti genitori non venivano ai colloqui: non capivano le comunicazioni, lavoravano fino a "
        "tardi o pensavano di non poter fare domande.\n\n"
        "**Genitori a scuola** ha portato in una scuola del quartiere:\n\n"
        "- mediatrici in arabo, francese, bengalese e wolof ai colloqui di dicembre e di aprile\n"
        "- avvisi e moduli della scuola tradotti in cinque lingue\n"
        "- un pomeriggio al mese di «scuola aperta» per i genitori, con merenda e laboratori per i bambini\n\n"
        "L'Ufficio Immigrazione del Comune ha coordinato le mediatrici; Teranga ha fatto conoscere il progetto alle famiglie "
        "senegalesi.",
        (
            ("ar", "الآباء في المدرسة – العائلات والمدرسة في حي ليبرتا",
             "في حي ليبرتا، كان كثير من الآباء والأمهات لا يحضرون لقاءات المعلمين: لم يفهموا رسائل المدرسة، أو كانوا "
             "يعملون حتى وقت متأخر، أو ظنوا أنه لا يحق لهم طرح الأسئلة.\n\n"
             "أدخل مشروع **الآباء في المدرسة** إلى إحدى مدارس الحي:\n\n"
             "- وسيطات بالعربية والفرنسية والبنغالية والولوفية في لقاءات ديسمبر وأبريل\n"
             "- إعلانات المدرسة واستماراتها مترجمة إلى خمس لغات\n"
             "- عصر يوم في كل شهر «مدرسة مفتوحة» للآباء، مع وجبة خفيفة وورشات للأطفال\n\n"
             "نسّق مكتب الهجرة في البلدية عمل الوسيطات، وعرّفت جمعية تيرانغا العائلات السنغالية بالمشروع."),
            ("fr", "Les parents à l'école – familles et école dans le quartier Libertà",
             "Dans le quartier Libertà, beaucoup de parents ne venaient pas aux rencontres avec les enseignants : ils ne "
             "comprenaient pas les messages de l'école, travaillaient tard ou pensaient ne pas avoir le droit de poser des "
             "questions.\n\n"
             "**Les parents à l'école** a apporté dans une école du quartier :\n\n"
             "- des médiatrices en arabe, français, bengali et wolof aux rencontres de décembre et d'avril\n"
             "- les avis et les formulaires de l'école traduits en cinq langues\n"
             "- un après-midi par mois d'« école ouverte » pour les parents, avec goûter et ateliers pour les enfants\n\n"
             "Le Bureau de l'immigration de la Commune a coordonné les médiatrices ; Teranga a fait connaître le projet aux "
             "familles sénégalaises."),
            ("en", "Parents at school – families and school in the Libertà district",
             "In the Libertà district many parents did not come to parent-teacher meetings: they did not understand the "
             "school's messages, worked late or thought they had no right to ask questions.\n\n"
             "**Parents at school** brought to a school in the district:\n\n"
             "- mediators speaking Arabic, French, Bengali and Wolof at the December and April meetings\n"
             "- the school's notices and forms translated into five languages\n"
             "- one \"open school\" afternoon a month for parents, with a snack and workshops for the children\n\n"
             "The Comune's Immigration Office coordinated the mediators; Teranga told Senegalese families about the project."),
        ),
    ),
    # ------------------------------------------------------------ Toscana
    "mediation_prato": InitiativeText(
        "Parlare chiaro – mediazione linguistica a scuola e in ospedale",
        "Garantire un mediatore ai colloqui scuola-famiglia delle classi con alunni cinesi e pakistani\n"
        "Rendere stabile la mediazione del pomeriggio al pronto soccorso pediatrico\n"
        "Formare insegnanti e personale sanitario a lavorare con la mediazione",
        "A Prato quasi un alunno su tre ha genitori nati all'estero. Senza un mediatore, un colloquio con la scuola o una "
        "visita in ospedale diventano difficili per tutti.\n\n"
        "**Parlare chiaro** ha messo a disposizione mediatrici e mediatori di lingua cinese, urdu e punjabi:\n\n"
        "- ai colloqui e alle riunioni con i genitori dell'Istituto Comprensivo Prato Macrolotto\n"
        "- al pronto soccorso pediatrico e nei consultori, nei turni del pomeriggio\n"
        "- al telefono, per le urgenze, con un numero unico\n\n"
        "Insegnanti e personale sanitario hanno seguito una breve formazione su come lavorare con la mediazione.",
        (
            ("zh_Hans", "说清楚 – 在学校和医院的语言调解",
             "在普拉托，几乎每三个学生中就有一个的父母出生在国外。没有调解员，和学校老师面谈或去医院看病，对每个人来说都很困难。\n\n"
             "**说清楚**项目提供会说中文、乌尔都语和旁遮普语的语言调解员：\n\n"
             "- 参加 Prato Macrolotto 综合学校的家长会和家长面谈\n"
             "- 在儿科急诊和家庭保健中心，下午值班\n"
             "- 紧急情况下通过统一电话号码提供电话调解\n\n"
             "教师和医护人员参加了简短的培训，学习如何与调解员合作。"),
            ("ur", "صاف بات – اسکول اور ہسپتال میں لسانی ثالثی",
             "پراتو میں تقریباً ہر تین میں سے ایک طالب علم کے والدین بیرونِ ملک پیدا ہوئے ہیں۔ ثالث کے بغیر اسکول میں "
             "ملاقات یا ہسپتال میں معائنہ سب کے لیے مشکل ہو جاتا ہے۔\n\n"
             "**صاف بات** نے چینی، اردو اور پنجابی بولنے والے ثالث فراہم کیے:\n\n"
             "- پراتو ماکرولوتو کے اسکول میں والدین کی ملاقاتوں اور میٹنگوں میں\n"
             "- بچوں کی ایمرجنسی اور زچہ و بچہ مراکز میں، دوپہر کی شفٹوں میں\n"
             "- فوری ضرورت کے لیے ایک ہی نمبر پر فون کے ذریعے\n\n"
             "اساتذہ اور طبی عملے نے ثالث کے ساتھ کام کرنے کی مختصر تربیت حاصل کی۔"),
            ("pa_Guru", "ਸਾਫ਼ ਗੱਲ – ਸਕੂਲ ਅਤੇ ਹਸਪਤਾਲ ਵਿੱਚ ਭਾਸ਼ਾਈ ਵਿਚੋਲਗੀ",
             "ਪ੍ਰਾਤੋ ਵਿੱਚ ਲਗਭਗ ਹਰ ਤਿੰਨ ਵਿਦਿਆਰਥੀਆਂ ਵਿੱਚੋਂ ਇੱਕ ਦੇ ਮਾਪੇ ਵਿਦੇਸ਼ ਵਿੱਚ ਜੰਮੇ ਹਨ। ਵਿਚੋਲੇ ਤੋਂ ਬਿਨਾਂ ਸਕੂਲ ਵਿੱਚ "
             "ਮੁਲਾਕਾਤ ਜਾਂ ਹਸਪਤਾਲ ਵਿੱਚ ਜਾਂਚ ਸਭ ਲਈ ਔਖੀ ਹੋ ਜਾਂਦੀ ਹੈ।\n\n"
             "**ਸਾਫ਼ ਗੱਲ** ਨੇ ਚੀਨੀ, ਉਰਦੂ ਅਤੇ ਪੰਜਾਬੀ ਬੋਲਣ ਵਾਲੇ ਵਿਚੋਲੇ ਦਿੱਤੇ:\n\n"
             "- ਪ੍ਰਾਤੋ ਮਾਕਰੋਲੋਤੋ ਸਕੂਲ ਵਿੱਚ ਮਾਪਿਆਂ ਨਾਲ ਮੁਲਾਕਾਤਾਂ ਅਤੇ ਮੀਟਿੰਗਾਂ ਵਿੱਚ\n"
             "- ਬੱਚਿਆਂ ਦੀ ਐਮਰਜੈਂਸੀ ਅਤੇ ਪਰਿਵਾਰਕ ਸਿਹਤ ਕੇਂਦਰਾਂ ਵਿੱਚ, ਦੁਪਹਿਰ ਦੀਆਂ ਸ਼ਿਫ਼ਟਾਂ ਵਿੱਚ\n"
             "- ਜ਼ਰੂਰੀ ਹਾਲਤਾਂ ਲਈ ਇੱਕੋ ਨੰਬਰ ਉੱਤੇ ਫ਼ੋਨ ਰਾਹੀਂ\n\n"
             "ਅਧਿਆਪਕਾਂ ਅਤੇ ਸਿਹਤ ਕਰਮਚਾਰੀਆਂ ਨੇ ਵਿਚੋਲਿਆਂ ਨਾਲ ਕੰਮ ਕਰਨ ਦੀ ਛੋਟੀ ਸਿਖਲਾਈ ਲਈ।"),
        ),
    ),
    "youth_prato": InitiativeText(
        "Estate in Comune – giovani volontari per la città",
        "Coinvolgere 25 giovani di seconda generazione tra i 18 e i 29 anni in attività di volontariato\n"
        "Aprire un punto informativo multilingue in piazza nei mesi estivi\n"
        "Accompagnare anziani e famiglie appena arrivate agli uffici pubblici\n"
        "Far conoscere ai giovani il Consiglio comunale e la Consulta dei giovani",
        "Venticinque ragazze e ragazzi di Prato, quasi tutti nati in Italia da genitori cinesi, pakistani, albanesi e romeni, "
        "hanno fatto volontariato per la loro città.\n\n"
        "- un corso di sei incontri su servizi, diritti e partecipazione\n"
        "- un punto informativo multilingue in piazza dell'Immaginario, il sabato d'estate\n"
        "- accompagnamenti agli uffici per anziani e famiglie arrivate da poco\n"
        "- una visita al Consiglio comunale e un incontro con la Consulta dei giovani\n\n"
        "Alla fine ognuno ha ricevuto un attestato valido per i crediti formativi.",
        (
            ("en", "Summer at the Comune – young volunteers for the city",
             "Twenty-five young women and men from Prato, nearly all born in Italy to Chinese, Pakistani, Albanian and "
             "Romanian parents, volunteered for their city.\n\n"
             "- a course of six meetings on services, rights and participation\n"
             "- a multilingual information point in Piazza dell'Immaginario on summer Saturdays\n"
             "- accompanying older people and newly arrived families to public offices\n"
             "- a visit to the City Council and a meeting with the Youth Council\n\n"
             "At the end, everyone received a certificate that counts for school and university credits."),
            ("zh_Hans", "市政府里的夏天 – 为城市服务的青年志愿者",
             "二十五名普拉托青年参加了为城市服务的志愿活动，他们几乎都在意大利出生，父母来自中国、巴基斯坦、阿尔巴尼亚和罗马尼亚。\n\n"
             "- 六次课程，内容包括公共服务、权利和公民参与\n"
             "- 夏天每周六在 Immaginario 广场设立多语种信息点\n"
             "- 陪同老人和刚到的家庭去政府办公室办事\n"
             "- 参观市议会，并与青年议事会见面\n\n"
             "活动结束时，每人都获得了一份可以换取学分的证书。"),
        ),
    ),
    "youth_macrolotto": InitiativeText(
        "Volontari di quartiere al Macrolotto Zero",
        "Formare 15 nuovi volontari tra i 18 e i 29 anni\n"
        "Aiutare alla Festa dei popoli e ai laboratori per bambini\n"
        "Tenere due pomeriggi di compiti insieme alla scuola del quartiere\n"
        "Dare ai volontari dell'anno scorso il ruolo di tutor",
        "Dopo «Estate in Comune», i giovani di Radici e Ali tornano in campo nel quartiere del Macrolotto Zero.\n\n"
        "- la Festa dei popoli: accoglienza, laboratori di calligrafia e di aquiloni, punto informativo\n"
        "- due pomeriggi a settimana di compiti insieme all'Istituto Comprensivo Prato Macrolotto\n"
        "- in primavera, una mappa del quartiere in cinque lingue fatta dai volontari\n\n"
        "Chi ha partecipato l'anno scorso fa da tutor ai nuovi volontari. La chiamata per i volontari è al completo: nuovi "
        "posti si apriranno in primavera.",
        (
            ("en", "Neighbourhood volunteers at Macrolotto Zero",
             "After «Summer at the Comune», the young people of Radici e Ali are back in the Macrolotto Zero district.\n\n"
             "- the Festival of peoples: welcome desk, calligraphy and kite workshops, information point\n"
             "- two afternoons a week of homework help at Istituto Comprensivo Prato Macrolotto\n"
             "- in spring, a map of the district in five languages made by the volunteers\n\n"
             "Last year's volunteers act as tutors for the new ones. The call for volunteers is full: new places will open in "
             "spring."),
            ("ro", "Voluntari de cartier la Macrolotto Zero",
             "După «Vara la Primărie», tinerii de la Radici e Ali revin în cartierul Macrolotto Zero.\n\n"
             "- Sărbătoarea popoarelor: primire, ateliere de caligrafie și de zmee, punct de informare\n"
             "- două după-amiezi pe săptămână de teme făcute împreună la Istituto Comprensivo Prato Macrolotto\n"
             "- în primăvară, o hartă a cartierului în cinci limbi, făcută de voluntari\n\n"
             "Cei care au participat anul trecut îi îndrumă pe noii voluntari. Apelul pentru voluntari este complet: noi "
             "locuri se vor deschide în primăvară."),
        ),
    ),
    "plan_prato": InitiativeText(
        "Piano locale per l'integrazione – Zona Pratese",
        "Coordinare Comune, scuole, terzo settore, ASL e Prefettura in un unico piano\n"
        "Condividere ogni sei mesi i dati su scuola, salute e servizi\n"
        "Dare un mediatore a ogni servizio che riceve il pubblico\n"
        "Rispondere entro trenta giorni alle segnalazioni delle associazioni",
        "Il piano locale della Zona Pratese, sostenuto dalla Regione Toscana nel piano TEAMS, mette allo stesso tavolo chi "
        "lavora con i cittadini stranieri: Comune di Prato, scuole, ASL Toscana Centro, Prefettura, cooperative e "
        "associazioni.\n\n"
        "**Che cosa fa**\n\n"
        "- una giornata territoriale ogni anno, con i dati della zona\n"
        "- tavoli di lavoro su scuola, salute, casa e lavoro\n"
        "- incontri informativi con mediatori, per esempio sul ricongiungimento familiare\n"
        "- un elenco comune di mediatrici e mediatori\n\n"
        "Ogni sei mesi pubblichiamo qui che cosa è stato fatto.",
        (
            ("zh_Hans", "普拉托地区融合地方计划",
             "普拉托地区的地方计划由托斯卡纳大区在 TEAMS 计划中支持，把所有为外国公民服务的机构聚集在一起：普拉托市政府、学校、"
             "托斯卡纳中部地方卫生局、省政府、合作社和协会。\n\n"
             "**计划内容**\n\n"
             "- 每年举办一次地区工作日，发布本地区的数据\n"
             "- 关于学校、健康、住房和就业的工作小组\n"
             "- 有调解员参加的信息会，例如关于家庭团聚\n"
             "- 共享的语言调解员名单\n\n"
             "我们每六个月在这里公布完成的工作。"),
            ("en", "Local integration plan – Prato area",
             "The local plan of the Prato area, supported by Regione Toscana in the TEAMS plan, brings together everyone who "
             "works with foreign citizens: the Comune di Prato, schools, ASL Toscana Centro, the Prefettura, cooperatives and "
             "associations.\n\n"
             "**What it does**\n\n"
             "- an area day every year, with the area's data\n"
             "- working groups on school, health, housing and work\n"
             "- information meetings with mediators, for example on family reunification\n"
             "- a shared list of mediators\n\n"
             "Every six months we publish here what has been done."),
        ),
    ),
    "plan_firenze": InitiativeText(
        "Piano locale Firenze Nord-Ovest",
        "Raccogliere i bisogni dei quartieri di Novoli, Rifredi e Brozzi\n"
        "Ascoltare associazioni di migranti, scuole e ASL prima di scrivere il piano\n"
        "Decidere le azioni per il prossimo anno scolastico",
        "Bozza di lavoro, visibile solo ai partner invitati. Prima di scrivere il piano vogliamo ascoltare le associazioni di "
        "migranti, le scuole e i servizi dei quartieri di Novoli, Rifredi e Brozzi.\n\n"
        "- tre incontri di ascolto nei quartieri\n"
        "- una prima bozza condivisa con i partner\n"
        "- l'approvazione con il Comune e la Prefettura",
    ),
}


PRACTICES: dict[str, PracticeText] = {
    "peer_bologna": PracticeText(
        "Tutor alla pari per chi arriva a metà anno",
        "Chi arriva in Italia durante l'anno scolastico entra in una classe già formata, spesso senza parlare italiano. Nei "
        "primi mesi molte ragazze e molti ragazzi restano soli, fanno molte assenze e rischiano di perdere l'anno.\n\n"
        "Gli insegnanti hanno poco tempo per seguire ognuno, e le famiglie non sempre sanno a chi rivolgersi.",
        "1. **Scelta dei tutor**: ogni consiglio di classe propone due o tre tutor delle classi seconde e terze, italiani e "
        "di origine straniera.\n"
        "2. **Formazione**: tre incontri di due ore con un'educatrice del Comune su accoglienza, ascolto e aiuto nei compiti.\n"
        "3. **Accompagnamento**: per tre mesi ogni tutor segue un compagno: il primo giorno, un'ora di compiti a settimana, "
        "una chat di classe.\n"
        "4. **Supervisione**: ogni due settimane i tutor incontrano l'educatrice e la referente per l'intercultura.\n"
        "5. **Famiglie**: un incontro con i genitori dei nuovi arrivati, con mediatrici.",
        "- 31 alunne e alunni accompagnati, 26 tutor formati\n"
        "- assenze nei primi tre mesi: in media da 14 a 6 giorni\n"
        "- 28 nuovi arrivati su 31 ammessi alla classe successiva\n"
        "- una guida per i tutor e un kit di giochi di accoglienza, già usati da altre due scuole del quartiere\n\n"
        "I numeri completi sono negli indicatori dell'iniziativa.",
        "- una scuola media con una referente per l'intercultura che coordina\n"
        "- un'educatrice per circa 40 ore all'anno (formazione e supervisione)\n"
        "- un'aula libera un pomeriggio a settimana\n"
        "- il consenso dei genitori dei tutor e dei nuovi arrivati\n"
        "- 4–6 ore di mediazione per l'incontro con le famiglie\n\n"
        "Costo indicativo: 4.500 euro all'anno, quasi tutto per le ore dell'educatrice e della mediazione.",
        "Comune di Bologna – Area Welfare e Promozione del benessere di comunità, Ufficio intercultura e scuole",
    ),
    "family_bari": PracticeText(
        "Colloqui con mediazione e scuola aperta per i genitori",
        "Nelle scuole del quartiere Libertà meno della metà dei genitori stranieri veniva ai colloqui. Avvisi e moduli erano "
        "solo in italiano; molti genitori lavorano fino a sera e non si sentivano benvenuti a scuola.\n\n"
        "Così gli insegnanti non conoscevano le famiglie e le famiglie non sapevano come andavano i figli.",
        "- **Mediazione ai colloqui**: a dicembre e ad aprile, mediatrici in arabo, francese, bengalese e wolof, su "
        "prenotazione e anche il sabato mattina.\n"
        "- **Avvisi tradotti**: i dieci avvisi e moduli più usati tradotti in cinque lingue, con parole semplici.\n"
        "- **Scuola aperta**: un pomeriggio al mese per i genitori, con merenda; intanto i bambini fanno laboratori con le "
        "maestre.\n"
        "- **Passaparola**: le associazioni del quartiere hanno invitato le famiglie di persona.",
        "- genitori stranieri ai colloqui: da 4 su 10 a 7 su 10\n"
        "- 86 famiglie seguite con la mediazione, 79 genitori alla scuola aperta\n"
        "- 10 avvisi e moduli tradotti in arabo, francese, inglese, bengalese e wolof\n"
        "- tre mamme sono entrate nel consiglio di istituto come rappresentanti dei genitori",
        "- una scuola disposta ad aprire il sabato mattina e un pomeriggio al mese\n"
        "- un servizio di mediazione del Comune o di una cooperativa (circa 60 ore all'anno)\n"
        "- le traduzioni: si fanno una volta sola, poi si aggiornano\n"
        "- un'associazione del quartiere che conosce le famiglie\n\n"
        "Costo indicativo: 3.800 euro all'anno.",
        "Comune di Bari – Ufficio Immigrazione e Cittadinanza, Via Garruba 51, Bari",
    ),
    "mediation_prato": PracticeText(
        "Una rete di mediazione per la scuola e l'ospedale",
        "A Prato molte famiglie cinesi e pakistane parlano poco italiano. Ai colloqui con la scuola e al pronto soccorso si "
        "chiedeva spesso ai figli di tradurre, anche per cose delicate.\n\n"
        "I mediatori c'erano, ma ogni servizio li chiamava per conto suo e spesso non arrivavano in tempo.",
        "- **Una sola rete**: la cooperativa organizza i turni dei mediatori per scuole, consultori e pronto soccorso "
        "pediatrico.\n"
        "- **Turni fissi**: un pomeriggio a settimana a scuola, tutti i pomeriggi al pronto soccorso pediatrico.\n"
        "- **Un numero unico** per le urgenze, con mediazione al telefono in cinese, urdu e punjabi.\n"
        "- **Formazione**: quattro incontri per personale sanitario e insegnanti su come lavorare con un mediatore.\n"
        "- **Mai i bambini come interpreti**: una regola scritta, condivisa da scuola e ospedale.",
        "- 129 interventi di mediazione e 306 ore in un anno scolastico\n"
        "- 453 presenze di familiari seguite\n"
        "- 75 tra insegnanti e operatori sanitari formati\n"
        "- negli ultimi sei mesi nessun caso segnalato di figli usati come interpreti al pronto soccorso",
        "- un ente che coordina i mediatori (una cooperativa o il Comune)\n"
        "- un accordo scritto tra scuole, ASL e Comune\n"
        "- mediatori nelle lingue più parlate del territorio, pagati a ore\n"
        "- un numero di telefono con reperibilità\n\n"
        "Costo indicativo: 28.000 euro all'anno per circa 300 ore di mediazione, più la formazione.",
        "Cooperativa Sociale Il Mosaico, Via Pistoiese 120, Prato",
    ),
}


CASES: dict[str, CaseText] = {
    "youth_prato": CaseText(
        "Xin, Bilal ed Elira: l'estate in cui abbiamo aperto un punto informativo in piazza",
        "Tre giovani di Prato, figli di famiglie arrivate dalla Cina, dal Pakistan e dall'Albania, raccontano l'estate "
        "passata a fare volontariato per la loro città: un banchetto in piazza, tante lingue e qualche sorpresa.",
        "«All'inizio pensavamo che nessuno si sarebbe fermato», dice **Xin**, 21 anni, studentessa di economia. «Il primo "
        "sabato abbiamo risposto a tre domande. Ad agosto non riuscivamo a fare la pausa.»\n\n"
        "Xin, **Bilal** ed **Elira** sono tre dei venticinque giovani di *Estate in Comune*. Sono nati a Prato o ci sono "
        "arrivati da bambini. I loro genitori vengono dalla Cina, dal Pakistan e dall'Albania.\n\n"
        "## Il banchetto del sabato\n\n"
        "Ogni sabato d'estate, in piazza dell'Immaginario, il gruppo ha tenuto un punto informativo: come si prenota una "
        "visita, dove si rinnova il permesso di soggiorno, come si iscrive un figlio a scuola. Le domande arrivavano in "
        "cinese, urdu, albanese, romeno e italiano.\n\n"
        "«Per anni mia madre mi ha chiesto di accompagnarla agli uffici», racconta Bilal, 23 anni. «Qui ho capito che quello "
        "che facevo per lei è un servizio. E che si può fare bene.»\n\n"
        "## Dentro il Comune\n\n"
        "A giugno il gruppo ha visitato il Consiglio comunale e ha incontrato la Consulta dei giovani. Elira, 19 anni, ha "
        "chiesto di allungare l'orario della biblioteca del quartiere. Dopo l'estate l'orario è cambiato.\n\n"
        "«Non so se è stato per noi», ride. «Ma adesso so a chi chiedere.»\n\n"
        "## E adesso\n\n"
        "Dodici volontari dell'estate faranno da tutor ai nuovi volontari di quartiere al Macrolotto Zero. Xin vuole "
        "candidarsi alla Consulta dei giovani.\n\n"
        "*I nomi sono usati con il consenso dei ragazzi.*",
    ),
    "l2_bologna": CaseText(
        "Il mercoledì delle mamme: l'italiano con i bambini nella stanza accanto",
        "Al CPIA di Bologna un corso di italiano per genitori con bambini piccoli: mentre le mamme studiano, i figli giocano "
        "nell'aula accanto con un'educatrice e una volontaria. Lo raccontano un'insegnante e due corsiste.",
        "Il mercoledì alle 9:20, nel cortile del CPIA di via di Corticella, arrivano passeggini e zainetti. **Olha** viene da "
        "Kharkiv, **Salma** da Casablanca. Fino all'anno scorso nessuna delle due poteva andare a un corso di italiano: «Con "
        "due bambini piccoli, dove li lascio?»\n\n"
        "## Una porta tra due aule\n\n"
        "L'idea è semplice. In un'aula si fa lezione, nell'aula accanto c'è lo spazio bimbi: un'educatrice e una volontaria "
        "di Donne Ucraine a Bologna giocano con i bambini da 1 a 5 anni. La porta resta aperta.\n\n"
        "«I primi giorni qualche bambino piangeva e la mamma andava di là», racconta **Giovanna**, insegnante di italiano. "
        "«Dopo due settimane nessuno si girava più.»\n\n"
        "## Le parole che servono\n\n"
        "Il corso parte dalle situazioni di ogni giorno: il pediatra, la spesa, il colloquio al nido. Salma ora prenota da "
        "sola le visite: «Prima chiamavo mio marito al lavoro. Adesso chiamo io.»\n\n"
        "Olha ha superato il test A1 e con il nuovo corso passa al livello A2. «Mio figlio dice *ciao* e *grazie*. Io voglio "
        "dire di più.»\n\n"
        "## Che cosa serve\n\n"
        "Un'aula in più, un'educatrice, una volontaria, giochi e tappetini. E un orario di mattina, quando i figli più grandi "
        "sono a scuola.\n\n"
        "*I nomi sono usati con il consenso delle persone.*",
    ),
}
