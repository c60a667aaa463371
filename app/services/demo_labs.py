"""Demo community labs: one lab in every phase, proposals in every state, supports, capped votes,
comments, co-sponsors, official answers (one edited), follow-up and answer templates.

Everything goes through the real services while the lab is open; afterwards the lab's phase
dates and the moments of what happened are moved into the past, so the demo shows labs that
closed months ago, answers given on time and late, and owed answers overdue. Counters are
those the services keep, so they always equal the rows.

Besides the named demo people, a crowd of residents supports and votes, so thresholds and
turnout look like a real neighbourhood rather than a dozen testers. They cannot log in (their
password field holds an unusable marker), and their supports are written in one statement
per proposal, the last one through the service so the threshold rules run as in real use.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, insert, select, update

from app.db import db
from app.services import accounts, labs, memberships, organizations, proposals, responses, territories
from models import (
    Lab,
    Notification,
    Organization,
    ProgressUpdate,
    Proposal,
    ProposalComment,
    ProposalState,
    ProposalSupport,
    ProposalVote,
    ResponseRevision,
    Territory,
    User,
)
from models.base import utcnow

ADMIN_EMAIL = "admin@ponte.demo"
RESIDENTS_DOMAIN = "residenti.ponte.demo"
T = TypeVar("T")


# ---------------------------------------------------------------- the shape of the data


@dataclass(frozen=True)
class Authority:
    """A verified local authority the labs need, created by its official (who gets a password)."""

    name: str
    official: str  # display name
    email: str
    home: str  # ISTAT code
    languages: tuple[str, ...]
    description: str
    areas: tuple[str, ...] = ("action_01", "action_02", "action_03", "action_04")
    authority_type: str = "comune"


@dataclass(frozen=True)
class Progress:
    days_ago: int
    percent: int
    text: str


@dataclass(frozen=True)
class Answer:
    decision: str
    text: str
    days_ago: float
    office: str = ""
    next_step: str = ""
    contact: str = ""
    cost: str = ""
    expected_in: int | None = None  # days from today (negative: already past)
    edit: Answer | None = None  # the same answer changed later (the first text goes to the history)
    progress: tuple[Progress, ...] = ()  # the last one at 100% means done


@dataclass(frozen=True)
class Comment:
    author: str  # e-mail
    text: str
    days_ago: float
    org: str = ""  # written on behalf of (an authority's comment is official)
    replies: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class Idea:
    """A proposal: who wrote it, what happened to it and when (days before today)."""

    author: str  # e-mail
    title: str
    summary: str
    body: str
    action: str = ""
    org: str = ""  # on behalf of
    published: float = 5
    fans: tuple[str, ...] = ()  # demo people who support it
    crowd: int = 0  # residents who support it
    reached: float | None = None  # when the support threshold was reached (must match the supports)
    answer: Answer | None = None
    comments: tuple[Comment, ...] = ()
    sponsor: str = ""  # association invited to co-sponsor
    sponsor_accepts: bool = False
    votes: int = 0  # votes in total, of which ``voters`` by demo people
    voters: tuple[str, ...] = ()
    withdrawn: float | None = None
    draft: bool = False


@dataclass(frozen=True)
class DemoLab:
    convener: str  # organisation name
    by: str  # e-mail of who convenes it
    title: str
    description: str
    territory: str  # ISTAT code; residents of this comune form the crowd
    actions: tuple[str, ...]
    # Phase starts in days from today; None: the phase does not happen.
    proposals: int
    deliberation: int | None = None
    voting: int | None = None
    results: int | None = None
    follow_up: int | None = None
    threshold: int = 20
    k: int = 3
    response_days: int = 30
    eligibility: str = "residents"
    standing: bool = False
    addressed_to: str = ""  # authority of every proposal (default: the convener)
    crowd_home: str = ""  # where the supporting residents live (default: the territory)
    voters: int = 0  # residents who vote (the first ones of the crowd)
    ideas: tuple[Idea, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- authorities and residents

BARI = "Comune di Bari – Ufficio Immigrazione e Cittadinanza"
BOLOGNA = "Comune di Bologna – Area Welfare e Promozione del benessere di comunità"
PESCARA = "Comune di Pescara – Settore Politiche Sociali"
MILANO = "Comune di Milano – Municipio 2"
PRATO = "Comune di Prato – Servizio Immigrazione e Cittadinanza"
TOSCANA = "Regione Toscana – Settore Welfare e Immigrazione"

AUTHORITIES = (
    Authority(BOLOGNA, "Elena Bassi", "elena.bassi@ponte.demo", "037006", ("it", "en", "ar"), "L'area del Comune che cura i Community Lab con i Quartieri: percorsi per progettare servizi insieme a chi li usa."),
    Authority(PESCARA, "Marco D'Angelo", "marco.dangelo@ponte.demo", "068028", ("it", "sq"), "Servizi sociali, immigrazione e politiche abitative del Comune di Pescara. Promuove il Living Lab di Rancitelli e Fontanelle."),
    Authority(MILANO, "Stefania Galli", "stefania.galli@ponte.demo", "015146", ("it", "en", "es"), "Il Municipio 2 (Stazione Centrale, Loreto, via Padova, Crescenzago): servizi di quartiere e bilancio partecipativo."),
    Authority(PRATO, "Lorenzo Bruni", "lorenzo.bruni@ponte.demo", "100005", ("it", "zh"), "L'ufficio del Comune di Prato per i cittadini stranieri: mediazione, informazione e progetti interculturali con le associazioni."),
)

TEMPLATES = (
    (BARI, "marta.desantis@ponte.demo", "Inoltrata ad altro ente", "evaluating", "Grazie per la proposta. La decisione spetta anche a un altro ente: l'abbiamo inoltrata e vi scriviamo qui appena riceviamo la loro risposta."),
    (BOLOGNA, "elena.bassi@ponte.demo", "Accolta con il Quartiere", "accepted", "La proposta è accolta. La realizziamo insieme al Quartiere e alle associazioni che l'hanno scritta: sotto trovate l'ufficio, il referente e i prossimi passi."),
    (PESCARA, "marco.dangelo@ponte.demo", "In valutazione con l'ASL", "evaluating", "Stiamo verificando la proposta con la ASL di Pescara, che gestisce il servizio. Vi diamo una risposta definitiva entro la scadenza indicata."),
    (MILANO, "stefania.galli@ponte.demo", "Non accolta: competenza di un altro ente", "rejected", "La proposta riguarda un servizio che non dipende dal Municipio. L'abbiamo segnalata all'ente competente e vi indichiamo a chi rivolgervi."),
    (PRATO, "lorenzo.bruni@ponte.demo", "Accolta con convenzione", "accepted", "La proposta è accolta e sarà realizzata con una convenzione con il terzo settore. Pubblicheremo qui ogni passo, con i tempi e i costi."),
    (TOSCANA, ADMIN_EMAIL, "Di competenza comunale", "rejected", "La proposta riguarda un servizio dei Comuni. La Regione la trasmette al Comune interessato e ne sostiene il finanziamento nel piano TEAMS."),
)

# Residents by comune (name, interface language). They support and vote; they cannot log in.
RESIDENTS = {
    "037006": (
        ("Giorgia Mazzoni", "it"), ("Luca Bernardi", "it"), ("Nadia El Amrani", "ar"), ("Oksana Melnyk", "uk"), ("Tariq Mahmood", "ur"), ("Elisa Gentile", "it"), ("Francesco Guidi", "it"), ("Yasmine Bouzid", "fr"), ("Iryna Shevchenko", "uk"), ("Matteo Rinaldi", "it"), ("Sara Lodi", "it"), ("Karim Benali", "ar"),
        ("Mihaela Ionescu", "ro"), ("Chen Jing", "zh_Hans"), ("Rosa Fabbri", "it"), ("Andrea Zanetti", "it"), ("Fatima Zahra Idrissi", "ar"), ("Nasrin Akter", "bn"), ("Dmytro Bondarenko", "uk"), ("Alessia Cavina", "it"), ("Gabriel Mendoza", "es"), ("Valentina Monti", "it"), ("Hamza Trabelsi", "fr"), ("Anna Marchetti", "it"),
    ),
    "068028": (
        ("Daniela Di Renzo", "it"), ("Ermal Gashi", "sq"), ("Valentina Di Pietro", "it"), ("Roberto Ciccone", "it"), ("Elira Muca", "sq"), ("Samira Bensaid", "fr"), ("Gianluca Di Nisio", "it"), ("Andrea Tarquini", "it"), ("Blerina Kola", "sq"),
        ("Mirela Dumitru", "ro"), ("Simone Cipollone", "it"), ("Federica Marinucci", "it"), ("Youssef Amrani", "ar"), ("Klodiana Shehu", "sq"), ("Antonella Di Biase", "it"), ("Fabio Mancini", "it"), ("Chiara Verna", "it"), ("Ionut Stan", "ro"),
    ),
    "072006": (
        ("Nicola Lamanna", "it"), ("Anna Tatò", "it"), ("Rosa Loiacono", "it"), ("Mohamed Ali Hassan", "ar"), ("Leila Ben Salem", "fr"), ("Domenico Colella", "it"), ("Grazia Lavopa", "it"), ("Samuel Mensah", "en"), ("Aida Koné", "fr"), ("Maria Pia Lisi", "it"), ("Francesco Stella", "it"), ("Hanan Abdelrahman", "ar"),
        ("Vincenzo Cassano", "it"), ("Giovanna Deliso", "it"), ("Omar Diallo", "fr"), ("Teresa Mastrangelo", "it"), ("Kwame Boateng", "en"), ("Sabrina Caputo", "it"), ("Ilir Berisha", "sq"), ("Mariam Yusuf", "en"), ("Pasquale Morea", "it"), ("Lucia Santoro", "it"), ("Arif Hossain", "bn"), ("Elena Dragomir", "ro"),
    ),
    "015146": (
        ("Tanvir Ahmed", "bn"), ("Sharmin Sultana", "bn"), ("Giovanni Brambilla", "it"), ("Federica Rota", "it"), ("Mohammed El Idrissi", "ar"), ("Rania Farouk", "ar"), ("Paolo Fumagalli", "it"), ("Li Na", "zh_Hans"), ("Zhang Wei", "zh_Hans"), ("Marisol Quispe", "es"), ("José Luis Paredes", "es"),
        ("Silvia Galbiati", "it"), ("Nusrat Jahan", "bn"), ("Alessandro Villa", "it"), ("Jennifer Santos", "en"), ("Mark Reyes", "en"), ("Chiara Pirovano", "it"), ("Sofia Castelli", "it"), ("Abdul Karim", "ur"), ("Ruxandra Matei", "ro"), ("Davide Sala", "it"), ("Fahim Rahman", "bn"),
    ),
    "100005": (
        ("Zhou Min", "zh_Hans"), ("Wang Fang", "zh_Hans"), ("Hu Xiaoyan", "zh_Hans"), ("Liu Yang", "zh_Hans"), ("Matteo Bini", "it"), ("Elena Lenzi", "it"), ("Giacomo Santini", "it"), ("Sara Gori", "it"), ("Xu Lei", "zh_Hans"), ("Chen Hao", "zh_Hans"),
        ("Marta Bettazzi", "it"), ("Luca Nesti", "it"), ("Irina Popa", "ro"), ("Adnan Hussain", "ur"), ("Shabana Bibi", "ur"), ("Riccardo Fantacci", "it"), ("Zheng Li", "zh_Hans"), ("Bianca Innocenti", "it"), ("Jin Mei", "zh_Hans"), ("Tommaso Magni", "it"),
    ),
}


def resident_email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return ".".join("".join(c if c.isalnum() else " " for c in ascii_name).split()) + "@" + RESIDENTS_DOMAIN


r = resident_email  # a resident, by name, in the data below


# ---------------------------------------------------------------- the labs

TERANGA = "Associazione Teranga – Senegalesi del Salento"
CPIA_BO = "CPIA Metropolitano di Bologna"
IC_PE = "Istituto Comprensivo Pescara 3"
GIOVANI = "Giovani Italo-Bengalesi Milano"
MOSAICO = "Cooperativa Sociale Il Mosaico"

BOLOGNA_LAB = DemoLab(
    BOLOGNA, "elena.bassi@ponte.demo", "Community Lab Passaggi – dalla scuola media alle superiori",
    "Il Community Lab dei Quartieri Navile e San Donato-San Vitale raccoglie idee per accompagnare ragazze, ragazzi e famiglie nel passaggio dalla scuola media alle superiori, con attenzione a chi è arrivato in Italia da poco.\n\n**Come funziona**\n\n- ora: proposte e sostegni di chi vive a Bologna\n- poi: tre incontri di discussione nelle biblioteche di quartiere\n- infine: il voto, con 3 voti a testa\n\nOgni proposta che raccoglie 20 sostegni riceve una risposta scritta del Comune entro 30 giorni.",
    "037006", ("action_01", "action_03"), proposals=-12, deliberation=18, voting=33, results=47, follow_up=75, threshold=20, k=3,
    ideas=(
        Idea("paolo.ricci@ponte.demo", "Open day delle superiori con mediatori linguistici",
             "Un open day unico per le superiori del Navile e di San Donato, un sabato mattina, con mediatrici e mediatori in arabo, ucraino, urdu, cinese e inglese e una scheda sugli indirizzi tradotta.",
             "Ogni anno a gennaio le famiglie scelgono la scuola superiore. Gli open day sono tanti, in giorni diversi, e quasi sempre solo in italiano: chi è arrivato da poco non ci va, o non capisce la differenza tra liceo, tecnico e professionale.\n\nProponiamo **un open day unico**, un sabato mattina di dicembre:\n\n- un tavolo per ogni scuola, con studenti che raccontano la loro esperienza\n- mediatrici e mediatori in arabo, ucraino, urdu, cinese e inglese\n- una scheda di una pagina sugli indirizzi, tradotta nelle stesse lingue\n\nIl CPIA mette a disposizione i mediatori che già collaborano con noi; al Comune chiediamo gli spazi e la comunicazione.",
             "action_01", CPIA_BO, published=11, fans=("olena@ponte.demo",), crowd=22, reached=4, comments=(
                 Comment("olena@ponte.demo", "Molto utile. Servono anche mediatrici di lingua ucraina: tante famiglie sono arrivate nel 2022 e non conoscono ancora le scuole superiori.", 9, replies=(
                     Comment("paolo.ricci@ponte.demo", "Sì: due mediatrici ucraine hanno già dato la disponibilità per il sabato mattina.", 8, CPIA_BO),)),
                 Comment("elena.bassi@ponte.demo", "La proposta ha raggiunto i 20 sostegni: vi rispondiamo per iscritto entro 30 giorni. Intanto verifichiamo con l'Ufficio scolastico quali istituti possono ospitare l'open day.", 3, BOLOGNA),
             )),
        Idea("olena@ponte.demo", "Tutor alla pari per chi arriva durante l'anno",
             "Studenti del terzo e quarto anno accompagnano per tre mesi chi arriva in Italia a metà anno: il primo giorno, i compiti, le regole non scritte della scuola.",
             "Наші діти приходять посеред навчального року і почуваються самотніми. (I nostri figli arrivano a metà anno e si sentono soli.)\n\nProponiamo che ogni scuola superiore abbia un piccolo gruppo di **tutor alla pari**: studenti del terzo e quarto anno, formati da un'educatrice, che per tre mesi accompagnano chi arriva.\n\n- il primo giorno di scuola e il giro dell'istituto\n- un'ora a settimana per i compiti\n- una chat con il tutor, anche nella lingua d'origine\n\nPer i tutor l'attività può valere come PCTO.",
             "action_01", "Donne Ucraine a Bologna", published=10, fans=("paolo.ricci@ponte.demo",), crowd=11, sponsor=CPIA_BO, comments=(
                 Comment(r("Oksana Melnyk"), "Mia figlia è arrivata a febbraio: una tutor così le avrebbe cambiato il primo anno. Дякую за ідею!", 7, replies=(
                     Comment(r("Giorgia Mazzoni"), "Insegno al Navile: i ragazzi di quarta lo farebbero volentieri, se vale come PCTO.", 6),)),
             )),
        Idea(r("Nadia El Amrani"), "Sportello di orientamento per genitori, anche in arabo",
             "Un pomeriggio a settimana in biblioteca: iscrizioni, indirizzi, libri di testo e colloqui spiegati ai genitori, con una mediatrice di lingua araba.",
             "أريد أن أفهم المدرسة لكي أساعد ابني. (Voglio capire la scuola per aiutare mio figlio.)\n\nMolti genitori non sanno come si fa l'iscrizione online, cosa vuol dire \"consiglio orientativo\" o quando si comprano i libri. Proponiamo uno sportello **il martedì dalle 16 alle 18** nella biblioteca Lame, con un'orientatrice e una mediatrice di lingua araba, da novembre a febbraio.",
             "action_03", published=9, crowd=8),
        Idea(r("Tariq Mahmood"), "Abbonamento bus scontato per il primo anno delle superiori",
             "Uno sconto sull'abbonamento annuale per chi inizia le superiori in una scuola lontana da casa, per le famiglie con ISEE basso.",
             "Molti ragazzi del Navile scelgono la scuola più vicina e non quella giusta per loro, perché l'abbonamento pesa sulle famiglie con più figli. Proponiamo di estendere lo sconto per ISEE al primo anno delle superiori, con la domanda fatta a scuola insieme all'iscrizione.",
             "action_02", published=7, crowd=5),
        Idea(r("Giorgia Mazzoni"), "Italiano per studiare: laboratorio estivo prima delle superiori",
             "Tre settimane a luglio per chi è arrivato da poco: l'italiano delle materie (matematica, scienze, storia) prima di cominciare le superiori.",
             "Chi arriva in terza media impara presto l'italiano di tutti i giorni, ma alle superiori trova libri scritti in un'altra lingua. Proponiamo un **laboratorio estivo** di tre settimane, al mattino, con docenti del CPIA e studenti universitari volontari, sui testi delle materie del primo anno.",
             "action_01", published=5, crowd=3),
        Idea(r("Iryna Shevchenko"), "Guida all'iscrizione alle superiori in lingua facile e in ucraino",
             "Una guida di quattro pagine, in italiano facile e tradotta, su date, documenti e passi dell'iscrizione alle superiori.",
             "Інформація про вступ до старшої школи українською мовою. Le informazioni ci sono, ma sparse in tanti siti e scritte in modo difficile. Proponiamo una guida breve in **italiano facile**, tradotta in ucraino, arabo, urdu e cinese, distribuita nelle scuole medie e nelle biblioteche.",
             "action_03", published=3, fans=("olena@ponte.demo",), crowd=5),
        Idea("olena@ponte.demo", "Gruppi WhatsApp di classe: una guida per i genitori nuovi",
             "Una pagina che spiega ai genitori appena arrivati come funzionano i gruppi di classe e il registro elettronico.",
             "Bozza da completare con le altre mamme del gruppo. Il registro elettronico e i gruppi WhatsApp sono il modo in cui passano quasi tutte le comunicazioni, ma nessuno lo spiega a chi arriva.",
             "action_03", published=2, draft=True),
    ),
)

PESCARA_LAB = DemoLab(
    PESCARA, "marco.dangelo@ponte.demo", "Living Lab Pescara – servizi vicini a Rancitelli e Fontanelle",
    "Il Living Lab mette allo stesso tavolo abitanti, associazioni, scuole, ASL e uffici comunali per ripensare i servizi dei quartieri Rancitelli e Fontanelle.\n\nLe proposte sono chiuse: ora è il momento della **discussione**. Si possono ancora sostenere e commentare; ci incontriamo ogni giovedì alle 18 al centro civico. Poi si vota, 3 voti a testa.",
    "068028", ("action_02", "action_03", "action_04"), proposals=-40, deliberation=-10, voting=10, results=24, threshold=15, k=3,
    ideas=(
        Idea("ardit@ponte.demo", "Punto informativo multilingue al centro civico",
             "Tre mattine a settimana, al centro civico di Rancitelli, informazioni su residenza, medico di base, scuola e lavoro, in albanese, arabo, romeno e inglese.",
             "Chi arriva a Pescara deve girare tra anagrafe, ASL, scuola e centro per l'impiego senza sapere da dove cominciare. Shumë familje nuk dinë ku të pyesin. (Molte famiglie non sanno a chi chiedere.)\n\nProponiamo un **punto informativo** al centro civico, il martedì, il giovedì e il sabato mattina, con un operatore del Comune e volontari delle associazioni che parlano le lingue del quartiere.",
             "action_03", "Comunità Albanese d'Abruzzo", published=38, fans=("francesca.dicarlo@ponte.demo",), crowd=16, reached=27, comments=(
                 Comment("francesca.dicarlo@ponte.demo", "Alla nostra scuola arrivano ogni settimana genitori che cercano informazioni su residenza e medico di base: un punto così ci aiuterebbe molto.", 30, IC_PE, replies=(
                     Comment("ardit@ponte.demo", "Faleminderit! Possiamo garantire due volontari che parlano albanese il martedì e il sabato.", 29),)),
                 Comment("marco.dangelo@ponte.demo", "Ne parliamo giovedì alle 18 al centro civico con le associazioni: la risposta scritta arriverà entro la scadenza.", 5, PESCARA),
             )),
        Idea(r("Samira Bensaid"), "Spazio bimbi durante i corsi di italiano del CPIA",
             "Un'educatrice che tiene i bambini piccoli nell'aula accanto mentre le mamme seguono il corso di italiano del mattino.",
             "Nous voulons apprendre l'italien, mais personne ne peut garder nos enfants le matin. (Vogliamo imparare l'italiano, ma nessuno può tenere i bambini la mattina.)\n\nIl corso A1 del CPIA c'è, ma molte mamme non possono venire con un bambino di due anni. Proponiamo uno **spazio bimbi** con due educatrici, il martedì e il giovedì dalle 9 alle 11.",
             "action_01", published=35, crowd=16, reached=20,
             answer=Answer("evaluating", "Stiamo verificando con il CPIA di Pescara e con l'Istituto Comprensivo Pescara 3 la disponibilità di un'aula vicina a quella del corso e di due educatrici il martedì e il giovedì mattina.", 8,
                           office="Settore Politiche Sociali – Ufficio Immigrazione", next_step="Incontro con CPIA e scuola per definire orari e costi; risposta definitiva entro la scadenza.",
                           contact="politiche.sociali@comune-pescara.example.org"),
             comments=(Comment("lucia@ponte.demo", "Abbiamo un'aula libera al piano terra il martedì e il giovedì mattina: siamo disponibili.", 15, IC_PE),)),
        Idea("francesca.dicarlo@ponte.demo", "Doposcuola con tutor alla pari nella biblioteca di quartiere",
             "Ragazze e ragazzi delle superiori aiutano con i compiti quelli delle medie, due pomeriggi a settimana, in biblioteca.",
             "Nella nostra scuola un alunno su quattro non ha nessuno a casa che possa aiutarlo con i compiti in italiano. Proponiamo un **doposcuola tra pari**: studenti delle superiori, formati e seguiti da un'educatrice, il lunedì e il mercoledì dalle 15 alle 17.",
             "action_01", IC_PE, published=33, fans=("ardit@ponte.demo",), crowd=8),
        Idea(r("Ermal Gashi"), "Una stanza di quartiere per le riunioni delle associazioni",
             "Una sala comunale che le associazioni del quartiere possano prenotare gratis la sera e nel fine settimana.",
             "Le associazioni di Rancitelli si riuniscono nei bar o a casa di qualcuno. Proponiamo una **sala prenotabile** al centro civico, con un calendario online e le chiavi affidate a turno alle associazioni.",
             "action_04", published=30, crowd=6,
             comments=(Comment(r("Klodiana Shehu"), "Anche il gruppo delle mamme albanesi la userebbe il sabato pomeriggio per il corso di lingua dei bambini.", 20),)),
        Idea(r("Mirela Dumitru"), "Servizi sociali aperti anche il sabato mattina",
             "Lo sportello dei servizi sociali aperto un sabato al mese, su appuntamento, per chi lavora a turni tutta la settimana.",
             "Mulți dintre noi lucrăm în ture și nu putem veni la ghișeu în timpul săptămânii. (Molti di noi lavorano a turni e non possono andare allo sportello durante la settimana.) Basterebbe **un sabato al mese**, su appuntamento.",
             "action_02", published=22, crowd=4),
    ),
)

BARI_LAB = DemoLab(
    BARI, "marta.desantis@ponte.demo", "Laboratorio di progettazione partecipata – Libertà e Madonnella",
    "Un percorso di progettazione partecipata per i quartieri Libertà e Madonnella: scuole, servizi, informazione e spazi per le associazioni. Il Comune mette a disposizione **150.000 euro** per realizzare le proposte più votate.\n\nLa votazione è aperta a chi vive a Bari: ognuno ha **3 voti** e può cambiarli fino alla chiusura.",
    "072006", ("action_01", "action_02", "action_03", "action_04"), proposals=-75, deliberation=-40, voting=-6, results=10,
    threshold=20, k=3, response_days=45, voters=10,
    ideas=(
        Idea("amina@ponte.demo", "Mediatrici linguistiche allo sportello della ASL",
             "Una mediatrice di lingua araba e una di lingua francese e wolof allo sportello della ASL del distretto, due mattine a settimana: prenotazioni, esenzioni, scelta del medico.",
             "كثير من النساء لا يذهبن إلى الطبيب لأنهن لا يفهمن الاستمارات. (Molte donne non vanno dal medico perché non capiscono i moduli.)\n\nAllo sportello della ASL si fanno prenotazioni, esenzioni e scelta del medico di base, ma chi non parla bene l'italiano torna a casa senza aver risolto. Proponiamo **due mediatrici**, il lunedì e il giovedì mattina, e i moduli più usati tradotti.",
             "action_02", published=70, fans=("moderatore.puglia@ponte.demo",), crowd=23, reached=50, sponsor=TERANGA, sponsor_accepts=True,
             votes=7, comments=(
                 Comment("moussa@ponte.demo", "Au nom de Teranga : nous soutenons cette proposition. À Lecce, les familles sénégalaises vivent exactement la même chose.", 60, TERANGA, replies=(
                     Comment("amina@ponte.demo", "Merci Moussa ! Grazie a tutta l'associazione.", 59),)),
                 Comment("giuseppe.amato@ponte.demo", "Abbiamo inoltrato la proposta alla ASL Bari, per il distretto del quartiere. Vi aggiorniamo appena è fissata la data dell'incontro.", 20, BARI),
             )),
        Idea(r("Grazia Lavopa"), "Scuole aperte il pomeriggio: aula studio e doposcuola",
             "Due scuole del Libertà aperte fino alle 19, con un'aula studio e un doposcuola gestito con le associazioni del quartiere.",
             "Al Libertà molte case sono piccole e affollate: i ragazzi non hanno un posto tranquillo per studiare. Le scuole chiudono alle 14. Proponiamo di tenere **aperte due scuole fino alle 19**, dal lunedì al giovedì, con un custode, un'aula studio e un doposcuola.",
             "action_01", published=65, crowd=21, reached=30, votes=8),
        Idea(r("Omar Diallo"), "Una sala per le riunioni delle associazioni migranti",
             "Uno spazio comunale inutilizzato del Libertà dato in uso condiviso alle associazioni, con un calendario comune.",
             "Aujourd'hui nous nous réunissons dans un garage. (Oggi ci riuniamo in un garage.) Nel quartiere ci sono almeno otto associazioni di migranti e nessuna ha una sede. Proponiamo di affidare **una sala comunale** in uso condiviso, con regole scritte insieme.",
             "action_04", published=60, fans=("amina@ponte.demo",), crowd=13, votes=5),
        Idea(r("Hanan Abdelrahman"), "Italiano per mamme nella scuola dei figli",
             "Un corso di italiano di base per le mamme, due mattine a settimana, nella scuola primaria dei figli, subito dopo l'ingresso.",
             "بعد أن أوصل أطفالي إلى المدرسة، لدي ساعتان فقط. (Dopo aver accompagnato i bambini a scuola ho solo due ore.) Proponiamo un corso di italiano **nella scuola dei figli**, dalle 8:30 alle 10:30: nessuno spostamento, e le mamme conoscono le maestre.",
             "action_01", published=55, fans=("amina@ponte.demo",), crowd=10, votes=6, voters=("amina@ponte.demo",)),
        Idea(r("Arif Hossain"), "Avvisi del Comune su WhatsApp, in più lingue",
             "Un canale WhatsApp del Comune con gli avvisi importanti (scadenze, scuole, salute) in italiano, arabo, bengalese, inglese e francese.",
             "আমরা বাংলায় তথ্য চাই, যাতে সবাই বুঝতে পারে। (Vogliamo le informazioni in bengalese, perché tutti possano capire.) Gli avvisi del Comune arrivano sul sito, che in pochi leggono. Un **canale WhatsApp** per lingua arriverebbe a tutti.",
             "action_03", published=50, crowd=7, votes=3),
        Idea(r("Teresa Mastrangelo"), "Un calendario unico delle attività delle associazioni",
             "Una pagina e una bacheca in piazza con tutte le attività gratuite delle associazioni del quartiere, aggiornate ogni settimana.",
             "Nel quartiere ci sono corsi, sportelli e feste, ma nessuno li conosce tutti. Proponiamo un **calendario unico**, online e su una bacheca in piazza Redentore, aggiornato dalle associazioni stesse.",
             "action_04", published=45, crowd=4, votes=1),
    ),
)

BARI_OPEN_LAB = DemoLab(
    BARI, "marta.desantis@ponte.demo", "Laboratorio aperto del Comune di Bari",
    "Il laboratorio sempre aperto del Comune di Bari: chi vive a Bari può fare proposte in ogni momento su scuola, servizi, informazione e associazioni.\n\nOgni proposta che raccoglie **20 sostegni** riceve una risposta scritta dell'Ufficio Immigrazione e Cittadinanza entro 30 giorni.",
    "072006", ("action_01", "action_02", "action_03", "action_04"), proposals=-300, threshold=20, standing=True,
    ideas=(
        Idea(r("Mohamed Ali Hassan"), "Rinnovo della residenza prenotabile online, in più lingue",
             "Prenotare online l'appuntamento per il rinnovo della dichiarazione di dimora, con la pagina in inglese, francese e arabo.",
             "Per rinnovare la dimora abituale bisogna fare la fila la mattina, e chi lavora perde una giornata. Proponiamo la **prenotazione online**, con la pagina tradotta e un promemoria via SMS.",
             "action_02", published=60, fans=("amina@ponte.demo",), crowd=21, reached=44, comments=(
                 Comment(r("Leila Ben Salem"), "Je suis d'accord : j'ai perdu deux matinées de travail pour un seul rendez-vous.", 40, replies=(
                     Comment(r("Samuel Mensah"), "Same here. An online booking page in English would help a lot of people.", 38),)),
             )),
        Idea(r("Leila Ben Salem"), "I moduli più usati del Comune tradotti in arabo, inglese e francese",
             "Traduzione dei dodici moduli più richiesti (residenza, iscrizione scolastica, mensa, contributi) con una guida alla compilazione.",
             "Lo sportello perde molto tempo a spiegare i moduli uno per uno. Con i **moduli tradotti** e una guida di una pagina le persone arrivano con le carte già pronte.",
             "action_03", published=140, fans=("amina@ponte.demo", "moderatore.puglia@ponte.demo"), crowd=23, reached=120,
             answer=Answer("accepted", "La proposta è accolta. Tradurremo in arabo, inglese e francese i dodici moduli più richiesti, con una guida alla compilazione, e li pubblicheremo sul sito e allo sportello.", 84,
                           office="Ufficio Immigrazione e Cittadinanza", next_step="Traduzione con la cooperativa di mediazione già incaricata, revisione con le associazioni, pubblicazione.",
                           contact="immigrazione@comune-bari.example.org", cost="4.800", expected_in=30)),
        Idea(r("Domenico Colella"), "Cortili delle scuole aperti il sabato per le famiglie",
             "I cortili di tre scuole primarie aperti il sabato mattina, con un volontario delle associazioni, per giocare e conoscersi.",
             "Nel quartiere mancano spazi sicuri per i bambini. I cortili delle scuole il sabato sono chiusi. Proponiamo di **aprirli dalle 9 alle 13**, con un patto di collaborazione con le associazioni.",
             "action_01", published=25, crowd=6),
        Idea(r("Mariam Yusuf"), "Corsi di nuoto per ragazze con istruttrici donne",
             "Un turno settimanale in piscina comunale per ragazze dai 10 ai 16 anni, con istruttrici donne e prezzo ridotto.",
             "Many girls in our community would learn to swim if the instructors were women. (Molte ragazze della nostra comunità imparerebbero a nuotare con istruttrici donne.) Basta **un turno alla settimana** nella piscina comunale.",
             "action_02", published=3, crowd=2),
    ),
)

MILANO_LAB = DemoLab(
    MILANO, "stefania.galli@ponte.demo", "Laboratorio di quartiere via Padova – bilancio partecipativo",
    "Il Municipio 2 ha messo a disposizione **100.000 euro** per le idee di chi vive nel quartiere di via Padova. Hanno votato i residenti di Milano, 2 voti a testa.\n\nLa votazione è chiusa e i **risultati sono pubblicati**. Le proposte che hanno raggiunto 15 sostegni hanno ricevuto la risposta scritta del Municipio; da qui si segue la realizzazione.",
    "015146", ("action_01", "action_02", "action_03", "action_04"), proposals=-110, deliberation=-50, voting=-26, results=-12, follow_up=20,
    threshold=15, k=2, voters=11,
    ideas=(
        Idea(r("Sharmin Sultana"), "Doposcuola con tutor alla pari alla biblioteca di Crescenzago",
             "Due pomeriggi a settimana ragazze e ragazzi delle superiori aiutano quelli delle medie con i compiti, in biblioteca, con un'educatrice.",
             "বড় ভাই-বোনেরা ছোটদের পড়া বুঝিয়ে দেয়। (I fratelli grandi spiegano le lezioni ai piccoli.) Nelle nostre famiglie succede già: vogliamo farlo per tutto il quartiere. Proponiamo un **doposcuola tra pari** il martedì e il giovedì, con tutor formati e un'educatrice del Municipio.",
             "action_01", published=105, fans=("rahim@ponte.demo",), crowd=20, reached=90, sponsor=GIOVANI, sponsor_accepts=True,
             votes=9, voters=("rahim@ponte.demo",),
             answer=Answer("accepted", "La proposta è accolta. Il doposcuola tra pari si farà nella biblioteca di Crescenzago con le associazioni che l'hanno proposta e sostenuta; il Municipio paga l'educatrice e i materiali.", 72,
                           office="Municipio 2 – Servizi educativi", next_step="Convenzione con le associazioni del quartiere e avvio del doposcuola con l'anno scolastico.",
                           contact="municipio2.educazione@comune-milano.example.org", cost="18.000", expected_in=20,
                           progress=(Progress(40, 30, "Firmata la convenzione con Giovani Italo-Bengalesi Milano e con la parrocchia di Crescenzago; 14 tutor delle superiori hanno seguito la formazione."),
                                     Progress(12, 60, "Il doposcuola è aperto il martedì e il giovedì dalle 16:30 alle 18:30: 38 ragazze e ragazzi iscritti, 9 lingue parlate."))),
             comments=(
                 Comment("rahim@ponte.demo", "Co-firmiamo volentieri: da due anni facciamo doposcuola tra pari in via Padova e sappiamo che funziona.", 100, GIOVANI, replies=(
                     Comment(r("Silvia Galbiati"), "Lavoro in biblioteca a Crescenzago: la sala grande è libera proprio il martedì e il giovedì pomeriggio.", 98),)),
             )),
        Idea(r("Rania Farouk"), "Mediatrici culturali al consultorio e al pronto soccorso",
             "Una mediatrice di lingua araba al consultorio familiare e al pronto soccorso più vicino, almeno due giorni a settimana.",
             "Al consultorio molte donne arrivano con il marito o con un figlio che traduce: non possono parlare liberamente. Proponiamo **mediatrici donne**, di lingua araba e spagnola, al consultorio e al pronto soccorso.",
             "action_02", published=100, crowd=19, reached=95, votes=1,
             answer=Answer("partially_accepted", "Accogliamo la parte sul consultorio familiare: da gennaio una mediatrice di lingua araba sarà presente il mercoledì mattina. Il pronto soccorso dipende dall'ASST e da Regione Lombardia: abbiamo trasmesso la richiesta, ma non possiamo deciderla noi.", 75,
                           office="Municipio 2 – Servizi sociali", next_step="Avvio della mediazione in arabo al consultorio familiare il mercoledì mattina.",
                           contact="municipio2.sociale@comune-milano.example.org", cost="6.500", expected_in=-15,
                           edit=Answer("partially_accepted", "Accogliamo la parte sul consultorio familiare: da gennaio una mediatrice di lingua araba è presente il mercoledì mattina e, da febbraio, una di lingua spagnola il venerdì. Il pronto soccorso dipende dall'ASST e da Regione Lombardia: abbiamo trasmesso la richiesta, ma non possiamo deciderla noi.", 40,
                                       office="Municipio 2 – Servizi sociali", next_step="Mediazione in arabo il mercoledì (attiva) e in spagnolo il venerdì, da febbraio.",
                                       contact="municipio2.sociale@comune-milano.example.org", cost="9.800", expected_in=10))),
        Idea(r("Tanvir Ahmed"), "Un campo da cricket per i ragazzi del quartiere",
             "Un campo da cricket nel prato grande del Parco Trotter, usato la domenica dalle squadre del quartiere.",
             "Cricket is our football: every Sunday more than sixty young people play in the park, without a proper pitch. (Il cricket è il nostro calcio: ogni domenica più di sessanta ragazzi giocano al parco, senza un campo.) Proponiamo di **tracciare un campo** nel prato grande del Parco Trotter.",
             "action_04", published=98, fans=("rahim@ponte.demo",), crowd=16, reached=92, votes=7, voters=("rahim@ponte.demo",),
             answer=Answer("rejected", "Non possiamo accogliere la proposta così com'è: il Parco Trotter è un giardino storico vincolato e il prato grande è usato ogni giorno dalla scuola, quindi non è possibile tracciare un campo da cricket. Cerchiamo insieme un'area sportiva del Municipio dove giocare la domenica mattina.", 80,
                           office="Municipio 2 – Sport e tempo libero", contact="municipio2.sport@comune-milano.example.org"),
             comments=(
                 Comment(r("Tanvir Ahmed"), "Capiamo il vincolo sul parco. Siamo disponibili a giocare anche in un'altra area, basta che sia raggiungibile con la metro.", 78, replies=(
                     Comment("stefania.galli@ponte.demo", "Grazie. Vi aspettiamo martedì in Municipio con la mappa delle aree sportive disponibili la domenica.", 77, MILANO),)),
             )),
        Idea(r("Marisol Quispe"), "Info point multilingue al mercato rionale",
             "Il sabato mattina, al mercato rionale, un banco con informazioni sui servizi del Municipio in spagnolo, arabo, cinese e bengalese.",
             "Muchas familias latinoamericanas no saben que existen estos servicios. (Molte famiglie latinoamericane non sanno che questi servizi esistono.) Al mercato ci passano tutti: un **banco informativo** il sabato arriverebbe dove i volantini non arrivano.",
             "action_03", published=80, crowd=8, votes=4),
        Idea(r("Li Na"), "Corso serale di italiano per chi lavora nei negozi",
             "Un corso di italiano dalle 21 alle 22:30, due sere a settimana, per chi lavora nei negozi e nei ristoranti fino a tardi.",
             "我们白天都在店里工作。 (Di giorno lavoriamo tutti in negozio.) I corsi del CPIA sono al mattino o alle 18, quando i negozi sono aperti. Proponiamo un **corso tardo serale** in una scuola del quartiere.",
             "action_01", published=70, crowd=5, votes=2),
    ),
)

PRATO_LAB = DemoLab(
    PRATO, "lorenzo.bruni@ponte.demo", "Laboratorio Prato Interculturale – Macrolotto Zero",
    "Il laboratorio ha raccolto e discusso le proposte di chi vive al Macrolotto Zero e nei quartieri vicini. Ora è nella fase di **attuazione**: qui si seguono le proposte accolte, passo dopo passo, con tempi e costi.",
    "100005", ("action_01", "action_02", "action_04"), proposals=-210, deliberation=-180, follow_up=-150, threshold=15,
    ideas=(
        Idea("lin.wei@ponte.demo", "Mediatrice di lingua cinese all'anagrafe due pomeriggi a settimana",
             "Una mediatrice di lingua cinese allo sportello dell'anagrafe il martedì e il giovedì pomeriggio, per residenze, certificati e cambi di indirizzo.",
             "我们希望在户籍处有中文翻译。 (Vorremmo una mediatrice di lingua cinese all'anagrafe.) Oggi molti vanno allo sportello con un figlio che salta la scuola per tradurre. Proponiamo una **mediatrice due pomeriggi a settimana**, con la cooperativa che già lavora in ospedale.",
             "action_02", MOSAICO, published=205, crowd=19, reached=185,
             answer=Answer("accepted", "La proposta è accolta. Da marzo una mediatrice di lingua cinese sarà allo sportello dell'anagrafe il martedì e il giovedì pomeriggio, con una convenzione con la cooperativa che l'ha proposta.", 170,
                           office="Servizi demografici – Anagrafe", next_step="Convenzione con la cooperativa di mediazione e avvio del servizio il martedì e il giovedì pomeriggio.",
                           contact="immigrazione@comune-prato.example.org", cost="9.600", expected_in=-120,
                           progress=(Progress(150, 20, "Firmata la convenzione con la Cooperativa Il Mosaico; due mediatrici hanno seguito la formazione sulle pratiche anagrafiche."),
                                     Progress(120, 60, "Servizio avviato: martedì e giovedì dalle 14:30 alle 17:30 allo sportello 4. Nelle prime quattro settimane 96 persone ricevute."),
                                     Progress(90, 100, "Il servizio è confermato per tutto l'anno: 412 persone ricevute; l'attesa per un cambio di residenza è scesa da 40 a 15 giorni."))),
             comments=(
                 Comment(r("Zhou Min"), "Finalmente! Mia madre non parla italiano e ogni volta devo prendere un giorno di permesso. 谢谢！", 200),
                 Comment("lorenzo.bruni@ponte.demo", "Abbiamo pubblicato il bilancio del servizio: grazie a chi ha proposto e sostenuto l'idea.", 88, PRATO, replies=(
                     Comment("lin.wei@ponte.demo", "Grazie a voi. 谢谢大家！ Le mediatrici raccontano che molte persone ora vengono da sole.", 87, MOSAICO),)),
             )),
        Idea(r("Matteo Bini"), "Avvisi delle scuole anche in cinese e in urdu",
             "Gli avvisi più frequenti delle scuole comunali (uscite, mensa, colloqui, scioperi) tradotti in cinese, urdu e inglese.",
             "很多家长看不懂学校的通知。 (Molti genitori non capiscono gli avvisi della scuola.) Sono maestro in una scuola dell'infanzia: ogni settimana un terzo dei genitori non capisce gli avvisi. Proponiamo **modelli di avviso tradotti**, pronti da usare.",
             "action_01", published=200, crowd=17, reached=180,
             answer=Answer("accepted", "La proposta è accolta: traduciamo i modelli di avviso più usati e formiamo le segreterie delle scuole comunali a usarli.", 160,
                           office="Servizi educativi", next_step="Traduzione dei modelli di avviso più usati e formazione delle segreterie delle scuole comunali.",
                           contact="servizi.educativi@comune-prato.example.org", cost="3.200", expected_in=30,
                           progress=(Progress(60, 50, "Tradotti 24 modelli di avviso in cinese, urdu e inglese; li usano già 6 scuole dell'infanzia comunali su 12."),))),
        Idea(r("Adnan Hussain"), "Una stanza per le associazioni al Macrolotto Zero",
             "Una sede per le associazioni di migranti del quartiere, dove riunirsi, fare corsi di lingua per i bambini e tenere i documenti.",
             "ہمیں ملنے کے لیے ایک جگہ چاہیے۔ (Ci serve un posto dove incontrarci.) Le associazioni pakistane, cinesi e senegalesi del quartiere si riuniscono in negozi e cortili. Proponiamo **una sede comunale** in uso gratuito.",
             "action_04", published=198, crowd=16, reached=175,
             answer=Answer("partially_accepted", "Non possiamo assegnare una sede a uso esclusivo, ma la sala del centro civico del Macrolotto Zero sarà disponibile gratis due sere a settimana e il sabato pomeriggio per le associazioni iscritte all'albo comunale.", 150,
                           office="Servizio Immigrazione e Cittadinanza", next_step="Calendario condiviso della sala e regolamento d'uso, scritti con le associazioni.",
                           contact="immigrazione@comune-prato.example.org", expected_in=-120)),
        Idea(r("Irina Popa"), "Navetta gratuita per il CPIA dalle frazioni",
             "Una navetta serale gratuita dalle frazioni alla sede del CPIA, nei giorni dei corsi di italiano.",
             "Costul abonamentului lunar este prea mare pentru cursanți. (L'abbonamento mensile costa troppo per chi frequenta i corsi.) Da Iolo e da Tavola la sera gli autobus sono pochi: molti lasciano il corso dopo un mese.",
             "action_02", published=195, crowd=15, reached=178,
             answer=Answer("rejected", "Non possiamo accogliere la proposta: il trasporto pubblico è gestito dall'azienda regionale e una navetta dedicata costerebbe circa 60.000 euro l'anno, che non sono nel bilancio. In alternativa, dal prossimo anno il CPIA terrà un corso serale anche nella scuola di Iolo.", 152,
                           office="Servizio Immigrazione e Cittadinanza", contact="immigrazione@comune-prato.example.org")),
        Idea(r("Sara Gori"), "Festa interculturale in piazza per il Capodanno cinese",
             "Una festa in piazza con le associazioni del quartiere per il Capodanno cinese, con cibo, musica e laboratori per bambini.",
             "Il Capodanno cinese è già una festa di tutta la città. Proponiamo che il Comune la organizzi **insieme alle associazioni** di tutte le comunità del quartiere.",
             "action_04", published=190, crowd=3, withdrawn=170,
             comments=(Comment(r("Sara Gori"), "Ritiro la proposta: la festa la organizzano già le associazioni con la Pro Loco. Ci vediamo in piazza!", 171),)),
    ),
)

YOUTH_LAB = DemoLab(
    GIOVANI, "rahim@ponte.demo", "Laboratorio giovani di via Padova: studiare, incontrarsi, partecipare",
    "Un laboratorio convocato dalle ragazze e dai ragazzi di Giovani Italo-Bengalesi Milano, aperto a chiunque sia iscritto a Ponte. Le proposte sono rivolte al **Municipio 2**, che risponde a quelle che raccolgono 15 sostegni.",
    "015146", ("action_01", "action_02", "action_03"), proposals=-8, deliberation=22, threshold=15, eligibility="registered", addressed_to=MILANO,
    ideas=(
        Idea(r("Fahim Rahman"), "Aula studio aperta fino alle 22 nel periodo degli esami",
             "Una sala della biblioteca di quartiere aperta fino alle 22 a gennaio, giugno e settembre, per chi studia per esami e maturità.",
             "At home we are six in three rooms: studying after dinner is impossible. (A casa siamo in sei in tre stanze: studiare dopo cena è impossibile.) Proponiamo un'**aula studio serale** nei mesi degli esami, con un custode.",
             "action_01", published=7, fans=("harpreet@ponte.demo", "ayesha@ponte.demo"), crowd=7, comments=(
                 Comment("ayesha@ponte.demo", "Very good idea. For girls it is important that the place is safe and well lit in the evening.", 5, replies=(
                     Comment("rahim@ponte.demo", "Giusto: chiederemo un custode fino alla chiusura e l'uscita sulla via principale.", 4, GIOVANI),)),
             )),
        Idea(r("Nusrat Jahan"), "Corso di primo soccorso in bengalese e italiano",
             "Un corso di primo soccorso di due sabati per ragazzi e genitori, con un istruttore e una mediatrice di lingua bengalese.",
             "প্রাথমিক চিকিৎসা সবার জানা দরকার। (Tutti dovrebbero conoscere il primo soccorso.) Molti genitori non sanno chi chiamare o cosa fare in caso di emergenza. Proponiamo un **corso bilingue** con la Croce Rossa.",
             "action_02", published=5, crowd=4),
        Idea("harpreet@ponte.demo", "Orientamento al lavoro per chi ha appena finito le superiori",
             "Un incontro al mese con aziende, centro per l'impiego e ex studenti per chi ha appena finito le superiori e non va all'università.",
             "After school many of us don't know where to start: CV, agencies, contracts. (Dopo la scuola molti di noi non sanno da dove cominciare.) Proponiamo **un incontro al mese** con chi ci è già passato.",
             "action_03", published=3, fans=("ayesha@ponte.demo",), crowd=5),
    ),
)

TOSCANA_LAB = DemoLab(
    TOSCANA, ADMIN_EMAIL, "Piano TEAMS Toscana – laboratorio regionale sull'informazione ai cittadini stranieri",
    "La Regione Toscana apre un laboratorio sui servizi di informazione per i cittadini stranieri previsti dal piano TEAMS: sportelli, siti, materiali tradotti, mediazione.\n\nLe proposte si potranno scrivere dalla data di apertura; potranno partecipare tutte le persone che vivono in Toscana.",
    "09", ("action_03",), proposals=21, deliberation=60, voting=75, results=90, threshold=50, k=3, response_days=45,
)

LABS = (BOLOGNA_LAB, PESCARA_LAB, BARI_LAB, BARI_OPEN_LAB, MILANO_LAB, PRATO_LAB, YOUTH_LAB, TOSCANA_LAB)


# ---------------------------------------------------------------- seeding

PHASES = ("proposals", "deliberation", "voting", "results", "follow_up")
VOICES = {org: email for org, email, *_ in TEMPLATES}  # who answers for each authority


def needed() -> bool:
    """Labs are seeded once: when there is no lab yet and the demo organisations exist."""
    return db.session.scalar(select(Lab.id).limit(1)) is None and _find_org(BARI) is not None


def seed() -> list[str]:
    """Create the demo authorities' officials, the residents, the labs and all that happened in them.
    Returns lines to print (the officials' passwords are shown only now)."""
    seeder = _Seeder(utcnow())
    report = seeder.authorities()
    crowd = seeder.residents()
    for org_name, email, name, decision, text in TEMPLATES:
        responses.add_template(seeder.user(email), seeder.org(org_name), name, decision, text)
    for spec in LABS:
        seeder.lab(spec, crowd.get(spec.crowd_home or spec.territory, []))
    seeder.joined_before_acting()
    report.append(
        f"{len(LABS)} demo labs (one in every phase), {_count(Proposal)} proposals, {_count(ProposalSupport)} supports, "
        f"{_count(ProposalVote)} votes, {_count(ProposalComment)} comments; "
        f"{sum(len(v) for v in crowd.values())} residents (who cannot log in) support and vote."
    )
    return report


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _find_org(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def _required(found: T | None, what: str) -> T:
    if found is None:
        raise LookupError(f"demo data: {what} is missing")
    return found


class _Seeder:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = labs.local_day(now) or now.date()
        self._users: dict[str, User] = {}
        self._orgs: dict[str, Organization] = {}
        self._notified: list[tuple[int, str, datetime]] = []  # (proposal, dedupe key, when it happened)

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def user(self, email: str) -> User:
        if email not in self._users:
            self._users[email] = _required(accounts.find_user_by_email(email), email)
        return self._users[email]

    def org(self, name: str) -> Organization:
        if name not in self._orgs:
            self._orgs[name] = _required(_find_org(name), name)
        return self._orgs[name]

    # ------------------------------------------------------------ people

    def authorities(self) -> list[str]:
        """The local authorities the labs need, each created by its official, and verified."""
        lines = []
        for spec in AUTHORITIES:
            if _find_org(spec.name) is not None:
                continue
            home = territories.get_by_code(spec.home)
            official = accounts.find_user_by_email(spec.email)
            if official is None:
                password = "-".join(secrets.token_hex(3) for _ in range(3))
                official = self._person(spec.official, spec.email, home, ("it", *spec.languages), accounts.hash_password(password))
                db.session.flush()
                lines.append(f"  {spec.email:34} {password}  {spec.official} [official]")
            draft = organizations.OrganizationDraft(
                name=spec.name, kind="local_authority", home_territory=territories.label(home),
                areas=list(spec.areas), languages=list(spec.languages), descriptions={"it": spec.description},
                authority_type=spec.authority_type, authority_istat_code=spec.home,
            )
            org = organizations.create_organization(official, draft)
            organizations.set_verified(self.user(ADMIN_EMAIL), org, True, "Demo data: public body, checked on the IPA index.")
        return ["Officials of the demo authorities (passwords are shown only now):", *lines] if lines else []

    def _person(self, name: str, email: str, home: Territory, languages: tuple[str, ...], password_hash: str, *,
                locale: str = "it", joined: float = 400) -> User:
        user = User(email=email, display_name=name, password_hash=password_hash, locale=locale, home_territory=home,
                    languages_spoken=list(dict.fromkeys(languages)), privacy_version=accounts.settings.privacy_version,
                    email_confirmed_at=self.ago(joined), created_at=self.ago(joined))
        db.session.add(user)
        self._users[email] = user
        return user

    def residents(self) -> dict[str, list[User]]:
        """The crowd, by comune. Their password "hash" is a random marker no password verifies against
        (the "!" convention for unusable passwords), so they cannot log in; it also costs no KDF time."""
        crowd: dict[str, list[User]] = {}
        known = {u.email: u for u in db.session.scalars(select(User).where(User.email.like(f"%@{RESIDENTS_DOMAIN}")))}
        for code, people in RESIDENTS.items():
            home = territories.get_by_code(code)
            crowd[code] = [known.get(resident_email(name)) or self._person(
                name, resident_email(name), home, (locale.split("_")[0], "it"), f"!{secrets.token_hex(16)}", locale=locale, joined=260 + 9 * n,
            ) for n, (name, locale) in enumerate(people)]
        db.session.flush()
        return crowd

    def joined_before_acting(self) -> None:
        """Demo people who took part in labs months ago joined the platform before that."""
        firsts: dict[int, datetime] = {}
        for stmt in (
            select(Proposal.author_id, func.min(Proposal.created_at)).group_by(Proposal.author_id),
            select(ProposalComment.author_id, func.min(ProposalComment.created_at)).group_by(ProposalComment.author_id),
            select(ProposalSupport.user_id, func.min(ProposalSupport.created_at)).group_by(ProposalSupport.user_id),
            select(ProposalVote.user_id, func.min(ProposalVote.created_at)).group_by(ProposalVote.user_id),
        ):
            for user_id, first in db.session.execute(stmt):
                if user_id is not None and first is not None:
                    firsts[user_id] = min(first, firsts.get(user_id, first))
        for user in db.session.scalars(select(User).where(User.id.in_(firsts))):
            joined = firsts[user.id] - timedelta(days=30)
            if user.created_at > joined:
                user.created_at = joined
                if user.email_confirmed_at is not None:
                    user.email_confirmed_at = joined

    # ------------------------------------------------------------ labs

    def lab(self, spec: DemoLab, crowd: list[User]) -> Lab:
        """Convene the lab while it takes proposals, let everything happen, then move it to its real dates."""
        final = {key: getattr(spec, key) for key in PHASES}
        present = [key for key in PHASES if final[key] is not None]
        live = {key: (present.index(key) if key in present else None) for key in PHASES} if spec.ideas else final
        lab = labs.create_lab(self.user(spec.by), self.org(spec.convener), labs.LabDraft(
            title=spec.title, description=spec.description, territory=spec.territory, actions=list(spec.actions),
            **{f"{key}_on": (self.day(days) if days is not None else None) for key, days in live.items()},
            support_threshold=spec.threshold, votes_per_participant=spec.k, eligibility=spec.eligibility,
            response_days=spec.response_days, standing=spec.standing,
        ))
        made = [(idea, self.proposal(lab, spec, idea, crowd, n)) for n, idea in enumerate(spec.ideas)]
        for idea, proposal in made:
            self.follow_up(idea, proposal)
        voted = any(idea.votes for idea in spec.ideas)
        if voted:
            v = present.index("voting")
            self._move(lab, {key: (i - v - 1 if i <= v else i - v) for i, key in enumerate(present)})
            self.votes(lab, made, crowd[: spec.voters])
        self._move(lab, final)
        lab.created_at = lab.updated_at = min(lab.proposals_at - timedelta(days=14), self.ago(2))
        for idea, proposal in made:
            self.backdate(lab, idea, proposal)
        if voted:  # votes were cast in the middle of the voting days
            start = lab.voting_at or self.now
            end = min(lab.results_at or self.now, self.now)
            db.session.execute(update(ProposalVote).where(ProposalVote.lab_id == lab.id).values(created_at=start + (end - start) / 2))
        db.session.flush()
        return lab

    def _move(self, lab: Lab, days: dict[str, int | None]) -> None:
        for key, offset in days.items():
            setattr(lab, f"{key}_at", labs.start_of_day(self.day(offset)) if offset is not None else None)
        db.session.flush()

    def proposal(self, lab: Lab, spec: DemoLab, idea: Idea, crowd: list[User], n: int) -> Proposal:
        author = self.user(idea.author)
        draft = proposals.ProposalDraft(
            title=idea.title, summary=idea.summary, body=idea.body, action=idea.action,
            organization_id=self.org(idea.org).id if idea.org else None,
            authority_id=self.org(spec.addressed_to).id if spec.addressed_to else None,
        )
        proposal = proposals.create_proposal(author, lab, draft, publish=not idea.draft)
        if idea.draft:
            return proposal
        if idea.sponsor:
            invited = proposals.invite_sponsor(author, proposal, self.org(idea.sponsor).id)
            if idea.sponsor_accepts:
                admin = _required(db.session.get(User, memberships.admin_ids(invited.organization)[0]), "an admin of " + idea.sponsor)
                proposals.decide_sponsorship(admin, invited, True)
        others = [u for u in crowd if u.id != author.id]
        start = (7 * n) % len(others) if others else 0
        backers = [self.user(e) for e in idea.fans] + (others[start:] + others[:start])[: idea.crowd]
        if len(backers) != len(idea.fans) + idea.crowd:
            raise ValueError(f"demo data: not enough residents to support {idea.title!r}")
        for person in backers[: len(idea.fans)]:
            proposals.support(person, proposal)
        if idea.crowd:
            self._crowd_support(proposal, backers[len(idea.fans): -1])
            proposals.support(backers[-1], proposal)  # the service moves it to "awaiting response" at the threshold
        if (proposal.state == ProposalState.AWAITING_RESPONSE) != (idea.reached is not None):
            raise ValueError(f"demo data: the supports of {idea.title!r} do not match when its threshold was reached")
        for comment in idea.comments:
            self.comment(proposal, comment)
        return proposal

    @staticmethod
    def _crowd_support(proposal: Proposal, people: list[User]) -> None:
        """Residents' supports in one statement and the counter with them, as the service keeps it (they live in
        the lab's comune, so they are eligible by construction; the service would cost ~10 ms each)."""
        if not people:
            return
        db.session.execute(insert(ProposalSupport), [{"proposal_id": proposal.id, "user_id": u.id} for u in people])
        db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                           .values(supports_count=Proposal.supports_count + len(people), version=Proposal.version + 1))
        db.session.expire(proposal)

    def comment(self, proposal: Proposal, spec: Comment, parent: ProposalComment | None = None) -> None:
        org_id = self.org(spec.org).id if spec.org else None
        made = proposals.add_comment(self.user(spec.author), proposal, spec.text, parent.id if parent else None, org_id)
        made.created_at = self.ago(spec.days_ago)
        self._notified.append((proposal.id, f"comment-{made.id}", made.created_at))
        for reply in spec.replies:
            self.comment(proposal, reply, made)

    def follow_up(self, idea: Idea, proposal: Proposal) -> None:
        """The authority's answer (and its later edit), the follow-up steps, or the author's withdrawal."""
        if idea.answer is not None:
            official = self.user(VOICES[proposal.authority.name])
            for answer in (idea.answer, idea.answer.edit):
                if answer is not None:
                    given = responses.respond(official, proposal, responses.ResponseDraft(
                        decision=answer.decision, text=answer.text, office=answer.office, next_step=answer.next_step,
                        contact=answer.contact, cost_estimate=answer.cost,
                        expected_on=self.day(answer.expected_in) if answer.expected_in is not None else None,
                    ))
                    self._notified.append((proposal.id, f"response-{given.id}-{given.version}", self.ago(answer.days_ago)))
            for step in idea.answer.progress:
                row = responses.add_progress(official, proposal, responses.ProgressDraft(
                    happened_on=self.day(-step.days_ago), text=step.text, percent=step.percent,
                    status="implemented" if step.percent == 100 else "in_progress",
                ))
                self._notified.append((proposal.id, f"progress-{row.id}", self._progress_moment(row)))
        if idea.withdrawn is not None:
            proposals.withdraw(self.user(idea.author), proposal)

    def votes(self, lab: Lab, made: list[tuple[Idea, Proposal]], voters: list[User]) -> None:
        """Cast each proposal's votes: demo people's first, then residents with votes left, fewest used first."""
        used = {u.id: 0 for u in voters}
        for idea, proposal in sorted(made, key=lambda pair: -pair[0].votes):
            for email in idea.voters:
                proposals.vote(self.user(email), proposal)
            needed_votes = idea.votes - len(idea.voters)
            chosen = sorted((u for u in voters if used[u.id] < lab.votes_per_participant), key=lambda u: used[u.id])[:needed_votes]
            if len(chosen) < needed_votes:
                raise ValueError(f"demo data: not enough voters for {idea.title!r}")
            for person in chosen:
                proposals.vote(person, proposal)
                used[person.id] += 1

    # ------------------------------------------------------------ moving what happened into the past

    def backdate(self, lab: Lab, idea: Idea, proposal: Proposal) -> None:
        published = self.ago(idea.published)
        proposal.created_at = published - timedelta(hours=2)
        if idea.draft:
            proposal.updated_at = proposal.created_at
            return
        proposal.published_at = latest = published
        supported = min(published + timedelta(days=2), self.now - timedelta(hours=1))
        if idea.reached is not None:
            reached = self.ago(idea.reached)
            proposal.threshold_reached_at = latest = reached
            proposal.due_at = reached + timedelta(days=lab.response_days)
            supported = published + (reached - published) / 2
        db.session.execute(update(ProposalSupport).where(ProposalSupport.proposal_id == proposal.id).values(created_at=supported))
        if idea.answer is not None:
            latest = max(latest, self._backdate_answer(idea.answer, proposal))
        if idea.withdrawn is not None:
            proposal.withdrawn_at = latest = self.ago(idea.withdrawn)
        proposal.updated_at = latest
        self._date_notifications(proposal, published)

    def _date_notifications(self, proposal: Proposal, published: datetime) -> None:
        """What the services told people, dated when it happened (not when the demo was loaded)."""
        about = update(Notification).where(Notification.target_type == "proposal", Notification.target_id == proposal.id)
        db.session.execute(about.where(Notification.kind == "proposal.sponsor_invited").values(created_at=published + timedelta(hours=1)))
        if proposal.threshold_reached_at is not None:
            for kind, data in (("proposal.threshold_reached", {"due": proposal.due_at.isoformat()}),  # type: ignore[union-attr]
                               ("proposal.threshold_reached_author", {})):
                db.session.execute(about.where(Notification.kind == kind).values(
                    created_at=proposal.threshold_reached_at, data={"title": proposal.title, **data}))
        for proposal_id, key, moment in self._notified:
            if proposal_id == proposal.id:
                db.session.execute(about.where(Notification.dedupe_key == key).values(created_at=moment))

    def _progress_moment(self, step: ProgressUpdate) -> datetime:
        return min(labs.start_of_day(step.happened_on) + timedelta(hours=11), self.now)

    def _backdate_answer(self, answer: Answer, proposal: Proposal) -> datetime:
        response = _required(responses.response_of(proposal), f"the answer to {proposal.title!r}")
        first = self.ago(answer.days_ago)
        response.created_at = first
        response.updated_at = latest = self.ago(answer.edit.days_ago) if answer.edit else first
        for revision in db.session.scalars(select(ResponseRevision).where(ResponseRevision.response_id == response.id)):
            revision.created_at = first
        if answer.decision != "evaluating":
            proposal.answered_at = first
        for step in db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.proposal_id == proposal.id)):
            step.created_at = self._progress_moment(step)
            latest = max(latest, step.created_at)
        return latest
