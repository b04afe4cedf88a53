"""Demo blog: a dozen bilingual articles by Boréal's staff, with comments and
replies, one scheduled for the future and one draft."""

from __future__ import annotations

from datetime import timedelta

from models import utcnow

from . import services
from .services import ArticleData

ARTICLES = [
    ("en", "How we test our tents in the Vercors", ["tents", "field tests"],
     "Three nights, one storm and a lot of guy lines: a look inside our test campaign.",
     "Every new Boréal tent spends at least three nights on the Vercors plateau before we sign it off.\n\n"
     "## What we measure\n\n- how the fly behaves in gusts above 60 km/h\n- condensation at dawn\n"
     "- how long a tired person takes to pitch it in the dark\n\nTell us in the comments what you "
     "would like us to test next."),
    ("fr", "Bien choisir son sac de couchage", ["sacs de couchage", "guides"],
     "Température de confort, limite, extrême : ce que disent vraiment les étiquettes.",
     "La norme EN 13537 donne trois températures. La **température de confort** est celle qui compte "
     "pour la plupart d’entre nous.\n\nNos conseils :\n\n1. Choisissez un sac dont le confort est 5 °C "
     "sous la nuit la plus froide prévue.\n2. Un matelas isolant compte autant que le sac.\n"
     "3. Aérez votre duvet après chaque sortie."),
    ("en", "Caring for your waterproof jacket", ["jackets", "care"],
     "Washing a membrane jacket is good for it. Here is how to do it without ruining it.",
     "Dirt and sweat clog a membrane. Wash your jacket at 30 °C with a liquid detergent, no softener, "
     "then tumble dry on low heat to reactivate the water-repellent finish."),
    ("fr", "Nos frontales passent à l’USB-C", ["frontales", "nouveautés"],
     "Toute la gamme Lumen se recharge désormais en USB-C, et la batterie se remplace.",
     "Vous nous l’avez demandé sur le forum des idées : toutes les frontales **Lumen** se rechargent "
     "désormais en USB-C. La batterie reste amovible et se remplace sans outil."),
    ("en", "Packing list for a first bivouac", ["backpacks", "guides"],
     "What to bring, and what to leave at home, for your first night out.",
     "A first bivouac should be close to a road and easy to abandon. Bring a tent or tarp, a sleeping "
     "bag rated for the night, a mat, a stove, a headlamp and a warm layer. Leave the axe at home."),
    ("fr", "Réchauds : gaz ou alcool ?", ["réchauds", "guides"],
     "Deux familles de réchauds, deux philosophies. Comparatif honnête.",
     "Le **gaz** chauffe vite et se règle finement, mais il souffre du froid. L’**alcool** est "
     "silencieux, léger et increvable, mais lent. Pour l’hiver, pensez au gaz en position inversée."),
    ("en", "Breaking in new hiking boots", ["boots", "care"],
     "Blisters are optional. A short routine to make new boots yours.",
     "Wear them at home, then on short walks, then on a day hike with the socks you will use. "
     "Lace them firmly over the instep and loosely over the toes on descents."),
    ("fr", "Réparer plutôt que jeter : notre atelier", ["réparation", "engagements"],
     "Depuis un an, notre atelier de Grenoble a réparé plus de 4 000 produits.",
     "Fermetures éclair, coutures, arceaux cassés : envoyez-nous votre produit, nous le réparons à "
     "prix coûtant. Les pièces détachées des tentes sont disponibles pendant dix ans."),
    ("en", "Our answer to your questions about the Alto backpack strap", ["backpacks", "product news"],
     "Some of you reported a hip-belt buckle failing in the cold. Here is what we found and what we do.",
     "Thank you to everyone who reported the issue on the forum. The buckle plastic became brittle "
     "below -15 °C. Every affected backpack gets a free replacement buckle; see the forum topic for details."),
    ("fr", "Bivouac et réglementation en France", ["bivouac", "guides"],
     "Parcs nationaux, réserves, horaires : les règles à connaître avant de planter la tente.",
     "Dans la plupart des parcs nationaux, le bivouac est toléré de 19 h à 9 h, à plus d’une heure de "
     "marche des accès routiers. Renseignez-vous toujours auprès du parc avant de partir."),
    ("en", "Layering explained", ["jackets", "guides"],
     "Base, mid, shell: why three thin layers beat one thick jacket.",
     "A base layer moves moisture, a mid layer traps warm air, a shell keeps wind and rain out. "
     "Adjust by removing layers *before* you sweat."),
    ("fr", "Les coulisses de la nouvelle tente Refuge 3", ["tentes", "nouveautés"],
     "Deux ans de prototypes et vos retours du forum ont façonné la Refuge 3.",
     "La Refuge 3 doit beaucoup à la communauté : double entrée, vestibule agrandi et arceaux "
     "codés par couleur sont tous nés de vos suggestions."),
]  # fmt: skip
SCHEDULED = ("en", "Winter 2027 collection: a first look", ["product news", "jackets"],
             "The new winter jackets and sleeping bags, revealed.",
             "Our winter collection arrives soon. Stay tuned: this article appears by itself on launch day.")  # fmt: skip
DRAFT = ("fr", "Brouillon : test des chaussures Crête", ["chaussures"], "Test en cours.",
         "Texte en cours de rédaction.")  # fmt: skip
COMMENTS = {
    "en": ["Thanks, very useful!", "Could you test it above 2,000 m next time?", "I did exactly this last "
           "summer and it worked well.", "Great to see the brand answering in the open."],
    "fr": ["Merci, très clair !", "Et pour les températures négatives ?", "J’ai appliqué vos conseils, "
           "ça change tout.", "Super article, j’attends la suite."],
}  # fmt: skip
REPLIES = {"en": "Thanks for the feedback, we'll take it into account.", "fr": "Merci pour votre retour, nous en tenons compte."}  # fmt: skip


def seed_blog(ctx) -> None:  # noqa: ANN001 - community.demo.DemoContext
    staff = ctx.users["staff"]
    writers = [staff, ctx.users["admin"]]
    now = utcnow()
    for round_ in range(ctx.scale):
        for i, (lang, title, tags, summary, body) in enumerate(ARTICLES):
            suffix = f" ({round_ + 1})" if round_ else ""
            article = services.create_article(
                writers[i % 2 if i % 4 == 3 else 0],
                ArticleData(title=title + suffix, summary=summary, body=body, tags=tags, language=lang,
                            status="published"),
            )  # fmt: skip
            article.publish_at = now - timedelta(days=3 * (len(ARTICLES) - i) + round_ * 40, hours=i)
            article.created_at = article.publish_at
            for j in range(ctx.rng.randint(1, 4)):
                member = ctx.rng.choice(ctx.members)
                comment = services.add_comment(article, member, COMMENTS[lang][(i + j) % 4], language=lang)
                comment.created_at = article.publish_at + timedelta(hours=2 + j)
                if j == 0 and i % 2 == 0:
                    reply = services.add_comment(
                        article, staff, REPLIES[lang], parent_id=comment.id, language=lang
                    )
                    reply.created_at = comment.created_at + timedelta(hours=1)
    lang, title, tags, summary, body = SCHEDULED
    services.create_article(staff, ArticleData(title=title, summary=summary, body=body, tags=tags, language=lang,
                                               status="scheduled", publish_at=now + timedelta(days=7)))  # fmt: skip
    lang, title, tags, summary, body = DRAFT
    services.create_article(
        staff, ArticleData(title=title, summary=summary, body=body, tags=tags, language=lang)
    )
