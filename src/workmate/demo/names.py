"""Word lists for the demo company: common German names, streets, cities and trades.

Real postal codes and area codes per city, so addresses and phone numbers look plausible in
the UI and in e-invoices (a validator checks the postal code format, not the street).
"""

from __future__ import annotations

FIRST_NAMES = (
    "Anna", "Lena", "Julia", "Laura", "Sarah", "Lisa", "Katharina", "Marie", "Sophie", "Hannah",
    "Lea", "Johanna", "Clara", "Emma", "Mia", "Sabine", "Petra", "Monika", "Claudia", "Birgit",
    "Jana", "Nina", "Miriam", "Franziska", "Carina", "Ayşe", "Elif", "Zofia", "Ines", "Greta",
    "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Jonas", "Lukas", "Felix",
    "Paul", "Leon", "Finn", "Maximilian", "Tobias", "Florian", "Sebastian", "Daniel", "Jan",
    "Matthias", "Alexander", "Uwe", "Jürgen", "Klaus", "Frank", "Mehmet", "Dimitri", "Björn",
    "Sören", "Moritz", "Niklas",
)  # fmt: skip

LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
    "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller",
    "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke",
    "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher",
    "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt",
    "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer",
    "Yılmaz", "Kowalski", "Nowak", "Popescu",
)  # fmt: skip

STREETS = (
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße",
    "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Schillerstraße",
    "Goethestraße", "Wiesenweg", "Mozartstraße", "Am Sportplatz", "Industriestraße",
    "Friedrich-Ebert-Straße", "Rosenweg", "Marktplatz", "Lessingstraße", "Poststraße",
    "Hafenstraße", "Am Mühlenbach", "Eichendorffstraße", "Kantstraße", "Kastanienallee",
    "Gewerbepark", "Robert-Bosch-Straße", "Carl-Zeiss-Ring", "Hansaring", "Mühlenweg",
)  # fmt: skip

# (city, postal code, phone area code)
CITIES = (
    ("Berlin", "10115", "030"), ("Berlin", "10997", "030"), ("Berlin", "12043", "030"),
    ("Hamburg", "20095", "040"), ("Hamburg", "22765", "040"), ("München", "80331", "089"),
    ("München", "81669", "089"), ("Köln", "50667", "0221"), ("Köln", "50823", "0221"),
    ("Frankfurt am Main", "60311", "069"), ("Stuttgart", "70173", "0711"),
    ("Düsseldorf", "40213", "0211"), ("Leipzig", "04109", "0341"), ("Dortmund", "44135", "0231"),
    ("Essen", "45127", "0201"), ("Bremen", "28195", "0421"), ("Dresden", "01067", "0351"),
    ("Hannover", "30159", "0511"), ("Nürnberg", "90402", "0911"), ("Duisburg", "47051", "0203"),
    ("Bochum", "44787", "0234"), ("Wuppertal", "42103", "0202"), ("Bielefeld", "33602", "0521"),
    ("Bonn", "53111", "0228"), ("Münster", "48143", "0251"), ("Mannheim", "68159", "0621"),
    ("Karlsruhe", "76133", "0721"), ("Augsburg", "86150", "0821"), ("Wiesbaden", "65183", "0611"),
    ("Kiel", "24103", "0431"), ("Freiburg im Breisgau", "79098", "0761"),
    ("Lübeck", "23552", "0451"), ("Rostock", "18055", "0381"), ("Erfurt", "99084", "0361"),
    ("Potsdam", "14467", "0331"), ("Regensburg", "93047", "0941"), ("Heidelberg", "69117", "06221"),
    ("Ulm", "89073", "0731"), ("Göttingen", "37073", "0551"), ("Würzburg", "97070", "0931"),
)  # fmt: skip

TRADES = (
    "Bau", "Haustechnik", "Elektrotechnik", "Maschinenbau", "Logistik", "Immobilien",
    "Steuerberatung", "Metallbau", "Holzbau", "Gebäudeservice", "Medizintechnik", "Druckerei",
    "Autohaus", "Getränkehandel", "Landtechnik", "Sanitär", "Gartenbau", "Optik", "Reisen",
    "Feinkost", "Kunststofftechnik", "Automation", "Energie", "Verpackung",
)  # fmt: skip

# Invented brand-like words for AG / GmbH names that are not a family name.
BRANDS = (
    "Nordwind", "Alpenblick", "Rheintal", "Elbufer", "Sonnenhof", "Lichtwerk", "Datenhafen",
    "Brückenbau", "Mainkraft", "Isarwerk", "Spreeblick", "Weserland", "Harzgold", "Fichtelgrün",
    "Bodensee", "Ostseewind", "Schwarzwald", "Taunusblick", "Moselgut", "Donautal",
)  # fmt: skip

LEGAL_FORMS = ("GmbH", "GmbH", "GmbH", "AG", "KG", "GmbH & Co. KG", "e.K.",
               "UG (haftungsbeschränkt)")  # fmt: skip

MAIL_PROVIDERS = ("web.de", "gmx.de", "t-online.de", "posteo.de", "mailbox.org", "gmail.com")

CONTACT_POSITIONS = (
    "Geschäftsführung", "Einkauf", "Buchhaltung", "Projektleitung", "IT-Leitung", "Vertrieb",
    "Assistenz der Geschäftsführung", "Marketing",
)  # fmt: skip

PROJECT_TITLES = (
    "Relaunch Website", "ERP-Einführung", "Wartungsvertrag", "Datenschutz-Audit",
    "Netzwerk-Modernisierung", "Onlineshop", "Schulung Mitarbeitende", "Kunden-App",
    "Cloud-Umzug", "Digitalisierung Auftragsabwicklung", "Intranet", "Schnittstelle DATEV",
    "IT-Sicherheitskonzept", "Lagerverwaltung", "Terminbuchung online", "Backup-Konzept",
    "Migration E-Mail", "Reporting-Dashboard", "Barrierefreiheit Website", "E-Rechnung Einführung",
)  # fmt: skip

WORK_NOTES = (
    "Implementierung", "Abstimmung mit dem Kunden", "Code-Review", "Konzeption", "Tests",
    "Dokumentation", "Fehleranalyse", "Workshop vor Ort", "Telefonat Projektstand",
    "Datenmigration", "Deployment", "Schulung", "Angebotsabstimmung", "Recherche",
)  # fmt: skip

CHAT_LINES = (
    "Kurzes Update: der Entwurf liegt im Projektordner.",
    "Kann jemand bis Freitag das Review übernehmen?",
    "Der Kunde hat die Abnahme für Meilenstein 1 bestätigt.",
    "Termin mit dem Kunden ist auf Dienstag 10 Uhr verschoben.",
    "Ich habe die offenen Punkte in der Liste ergänzt.",
    "Testsystem ist wieder erreichbar.",
    "Bitte die Stunden für diese Woche bis heute Abend buchen.",
    "Die Schnittstelle läuft jetzt stabil, danke fürs Testen!",
    "Brauchen wir für die Schulung noch Unterlagen?",
    "Rechnung für den letzten Monat ist raus.",
    "Wer fährt nächste Woche mit zum Workshop?",
    "Feedback vom Kunden: sehr zufrieden mit dem neuen Layout.",
    "Ich bin morgen im Homeoffice, erreichbar per Telefon.",
    "Budget ist zu 80 % aufgebraucht, wir sollten das ansprechen.",
)  # fmt: skip

# (description, unit, unit price range in EUR, VAT rate): extra lines beside the hours.
EXTRA_LINES = (
    ("Softwarelizenz (12 Monate)", "C62", (120, 900), 19),
    ("Hosting und Wartung (monatlich)", "MON", (49, 299), 19),
    ("Anfahrtspauschale", "C62", (35, 90), 19),
    ("Fachbuch zur Schulung", "C62", (29, 69), 7),
    ("Schulungsunterlagen (gedruckt)", "C62", (15, 45), 7),
    ("Gebühr Domainregistrierung (durchlaufender Posten)", "C62", (10, 60), 0),
    ("Hardware: Netzwerk-Switch", "C62", (180, 650), 19),
)

EXPENSE_NOTES = {
    "material": ("Büromaterial", "Druckerpapier und Toner", "Monitore für Neue", "Netzwerkkabel"),
    "personnel": ("Fortbildung Scrum Master", "Teamevent", "Fahrtkostenzuschuss", "Weiterbildung"),
    "service": ("Serverkosten Rechenzentrum", "Freelancer Frontend", "Steuerberatung",
                "Softwareabo Design", "Telefon und Internet"),
    "other": ("Bewirtung Kundentermin", "Bahnfahrt Kundentermin", "Porto", "Spende Sportverein"),
}  # fmt: skip

REMINDER_TITLES = (
    "Angebot nachfassen", "Quartalsgespräch vereinbaren", "Vertragsverlängerung prüfen",
    "Zahlungseingang prüfen", "Projektabschluss besprechen", "Feedback einholen",
    "Rückruf vereinbaren", "Unterlagen anfordern",
)  # fmt: skip

TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ş": "s", "é": "e", "&": "", ".": ""}
)


def slug(text: str) -> str:
    """ASCII local part / domain label from a German name: 'Jürgen Weiß' -> 'juergen-weiss'."""
    ascii_text = text.lower().translate(TRANSLITERATION)
    kept = "".join(ch if ch.isalnum() else "-" for ch in ascii_text)
    return "-".join(part for part in kept.split("-") if part)
