"""Demo forum: a few bilingual categories and topics about Boréal gear, some
questions answered officially by staff, some solved. ``--scale N`` multiplies
the number of topics and lengthens one discussion (for benchmarks)."""

from __future__ import annotations

from datetime import timedelta

import click

from models import ContentState, Topic, db, utcnow

from ..demo import DemoContext
from . import services

CATEGORIES = [
    ("announcements", "Announcements", "Annonces", "News from the Boréal team.", "Les nouvelles de l’équipe Boréal.", "#8a3b12", "staff"),
    ("tents", "Tents and shelters", "Tentes et abris", "Choosing, pitching and repairing tents.", "Choisir, monter et réparer sa tente.", "#1f5f8b", "member"),
    ("clothing", "Jackets and clothing", "Vestes et vêtements", "Layers, waterproofing, sizes.", "Couches, imperméabilité, tailles.", "#2e6b30", "member"),
    ("kit", "Headlamps, stoves and kit", "Frontales, réchauds et matériel", "Everything else in the backpack.", "Tout le reste du sac à dos.", "#5b3f8c", "member"),
    ("trips", "Trip reports", "Récits de sorties", "Where you went and how the gear did.", "Vos sorties et le comportement du matériel.", "#6b5d12", "member"),
]  # fmt: skip

PRODUCTS = {
    "tents": ["Dôme 2 tent", "Nuage UL 1 tent", "Refuge 4 family tent"],
    "clothing": ["Aiguille Gore-Tex jacket", "Brume down jacket", "Crête softshell"],
    "kit": ["Lumen 400 headlamp", "Flamme stove", "Cime 45 L backpack", "Grand Froid -10 °C sleeping bag", "Sentier boots"],
    "trips": ["Cime 45 L backpack", "Dôme 2 tent", "Sentier boots"],
}  # fmt: skip

QUESTIONS = {
    "en": [
        ("Is the {p} worth it for winter?", "I'm planning a few nights at around -5 °C in the Jura. Has anyone used the **{p}** in those conditions?"),
        ("How do I reproof my {p}?", "After two seasons water no longer beads on my {p}. Which product and which washing programme do you recommend?"),
        ("{p}: which size should I pick?", "I'm 1.78 m and usually wear M, but reviews say the {p} runs small. Any advice?"),
        ("Spare parts for the {p}?", "I bent a part of my {p} on the last trip. Can I order a spare, or should I send it back?"),
        ("Battery or weight: {p} or the older model?", "Hesitating between the {p} and last year's model. Is the difference noticeable on long hikes?"),
    ],
    "fr": [
        ("Le {p} tient-il vraiment en hiver ?", "Je prévois quelques nuits vers -5 °C dans le Vercors. Quelqu’un a-t-il testé le **{p}** dans ces conditions ?"),
        ("Comment réimperméabiliser mon {p} ?", "Après deux saisons, l’eau ne perle plus sur mon {p}. Quel produit et quel programme de lavage conseillez-vous ?"),
        ("{p} : quelle taille choisir ?", "Je mesure 1,65 m et je porte du S en général, mais on dit que le {p} taille petit. Des conseils ?"),
        ("Pièces détachées pour le {p} ?", "J’ai tordu une pièce de mon {p} lors de la dernière sortie. Peut-on commander une pièce, ou faut-il le renvoyer ?"),
        ("{p} ou l’ancien modèle ?", "J’hésite entre le {p} et le modèle de l’an dernier. La différence se sent-elle sur de longues randonnées ?"),
    ],
}  # fmt: skip

DISCUSSIONS = {
    "en": [
        ("Three days in the Cairngorms with the {p}", "Wind, rain and one sunny morning. The {p} did well; here are my notes and a few photos to come."),
        ("Show us your setup for a first bivouac", "Starting out with the {p}. What else do you carry for a first night out?"),
    ],
    "fr": [
        ("Trois jours dans les Écrins avec le {p}", "Du vent, de la pluie et un matin ensoleillé. Le {p} s’en est bien sorti ; voici mes notes."),
        ("Votre équipement pour un premier bivouac ?", "Je débute avec le {p}. Qu’emportez-vous d’autre pour une première nuit dehors ?"),
    ],
}  # fmt: skip

REPLIES = {
    "en": ["Same question here, following.", "I used it last February at -8 °C: fine with a good mat.",
           "Wash it on a synthetic programme at 30 °C, then tumble dry low: it reactivates the coating.",
           "Mine runs true to size, but I size up for layering.", "Great report, thanks for sharing!"],
    "fr": ["Même question, je suis le sujet.", "Je l’ai utilisé en février à -8 °C : parfait avec un bon matelas.",
           "Lavage programme synthétique à 30 °C puis sèche-linge doux : ça réactive le traitement.",
           "Le mien taille normalement, mais je prends une taille au-dessus pour les couches.", "Super récit, merci !"],
}  # fmt: skip

STAFF_ANSWERS = {
    "en": "Hello from the Boréal team! The {p} is rated for this use. Our after-sales service sends spare parts free of charge during the warranty: write to us with your order number.",
    "fr": "Bonjour de la part de l’équipe Boréal ! Le {p} est prévu pour cet usage. Notre service après-vente envoie les pièces détachées gratuitement pendant la garantie : écrivez-nous avec votre numéro de commande.",
}


def seed_forum(ctx: DemoContext) -> None:
    rng = ctx.rng
    admin, staff = ctx.users["admin"], ctx.users["staff"]
    members = ctx.members or [ctx.users["member"]]
    cats = {}
    for position, (slug, en, fr, d_en, d_fr, colour, role) in enumerate(CATEGORIES):
        cats[slug] = services.save_category(
            admin, None, slug=slug, name_en=en, name_fr=fr, description_en=d_en, description_fr=d_fr,
            position=position, colour=colour, post_role=role,
        )  # fmt: skip
    clock = utcnow() - timedelta(days=60)

    def tick(item) -> None:  # noqa: ANN001
        nonlocal clock
        clock += timedelta(minutes=rng.randint(5, 600) / ctx.scale)
        item.created_at = clock
        if isinstance(item, Topic):
            item.last_activity_at = clock

    welcome = services.open_topic(
        cats["announcements"], staff, "Welcome to the Boréal community / Bienvenue !",
        "Ask your questions, share your trips. Posez vos questions, racontez vos sorties. — Sam", "discussion", "en",
    )  # fmt: skip
    services.pin_topic(welcome)
    tick(welcome)
    count = 36 * ctx.scale
    with click.progressbar(range(count), label="Forum topics", show_eta=True, show_pos=True) as bar:
        for i in bar:
            slug = rng.choice(["tents", "clothing", "kit", "trips"])
            lang = rng.choice(["en", "fr"])
            product = rng.choice(PRODUCTS[slug])
            is_question = slug != "trips" and rng.random() < 0.75
            title, body = rng.choice((QUESTIONS if is_question else DISCUSSIONS)[lang])
            author = rng.choice(members)
            topic = services.open_topic(
                cats[slug], author, title.format(p=product)[:200], body.format(p=product),
                "question" if is_question else "discussion", lang,
            )  # fmt: skip
            tick(topic)
            last = None
            for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
                last = services.reply(topic, rng.choice(members), rng.choice(REPLIES[lang]), lang)
                tick(last)
                topic.last_activity_at = last.created_at
            if is_question and rng.random() < 0.5:
                answer = services.reply(topic, staff, STAFF_ANSWERS[lang].format(p=product), lang)
                tick(answer)
                topic.last_activity_at = answer.created_at
                if rng.random() < 0.6:
                    services.accept_answer(topic, answer, author)
            elif is_question and last is not None and rng.random() < 0.3:
                services.accept_answer(topic, last, author)
            if i % 200 == 199:
                db.session.flush()
    # One long discussion: 20 pages at scale 1, longer when scaled (benchmarks).
    long_topic = services.open_topic(
        cats["trips"], ctx.users["member"], "Photo thread: your tents at camp / vos tentes au bivouac",
        "Post a picture of your tent at camp and tell us where it was.", "discussion", "fr",
    )  # fmt: skip
    tick(long_topic)
    for i in range(400 * ctx.scale):
        lang = rng.choice(["en", "fr"])
        item = services.reply(
            long_topic, rng.choice(members), f"{rng.choice(REPLIES[lang])} (#{i + 1})", lang
        )
        tick(item)
    long_topic.last_activity_at = clock
    db.session.flush()
    for cat in cats.values():
        services.refresh_category(cat.id)
    assert welcome.state == ContentState.PUBLISHED
