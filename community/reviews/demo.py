"""Demo catalogue: about ten Boréal products and a few hundred reviews in both
languages, mixed ratings, some answered by the brand.

English review texts are real jacket and outerwear reviews (CC0, see
``demo_reviews_en.json``); French ones are written for the demo."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click

from models import ContentItem, Review, db, utcnow

from . import services

CATEGORIES = [
    ("tents", "Tents", "Tentes"), ("jackets", "Jackets", "Vestes"), ("lighting", "Headlamps", "Frontales"),
    ("packs", "Backpacks", "Sacs à dos"), ("cooking", "Stoves", "Réchauds"),
    ("sleeping", "Sleeping bags", "Sacs de couchage"), ("boots", "Boots", "Chaussures"),
]  # fmt: skip
PRODUCTS = [
    ("trail-2p-tent", "tents", "Trail 2P tent", "Tente Trail 2P",
     "A two-person, three-season tent at 1.6 kg.", "Une tente trois saisons pour deux, 1,6 kg."),
    ("ridge-4-tent", "tents", "Ridge 4 family tent", "Tente familiale Ridge 4",
     "Four places, two porches, stands up in five minutes.", "Quatre places, deux absides, montée en cinq minutes."),
    ("nordet-rain-jacket", "jackets", "Nordet rain jacket", "Veste de pluie Nordet",
     "Three-layer waterproof shell with pit zips.", "Veste imperméable trois couches avec aérations."),
    ("grand-froid-parka", "jackets", "Grand Froid down parka", "Doudoune Grand Froid",
     "Warm down parka for winter treks.", "Doudoune chaude pour les treks d'hiver."),
    ("lumen-400-headlamp", "lighting", "Lumen 400 headlamp", "Frontale Lumen 400",
     "400 lumens, USB-C rechargeable, red light mode.", "400 lumens, rechargeable en USB-C, mode lumière rouge."),
    ("cime-38-backpack", "packs", "Cime 38 L backpack", "Sac à dos Cime 38 L",
     "A light pack for hut-to-hut hiking.", "Un sac léger pour la randonnée de refuge en refuge."),
    ("braise-stove", "cooking", "Braise gas stove", "Réchaud à gaz Braise",
     "Boils a litre in three minutes.", "Fait bouillir un litre en trois minutes."),
    ("edredon-0-bag", "sleeping", "Édredon 0 °C sleeping bag", "Sac de couchage Édredon 0 °C",
     "Comfort 0 °C, packs to the size of a melon.", "Confort 0 °C, se range dans un volume de melon."),
    ("sentier-mid-boots", "boots", "Sentier Mid boots", "Chaussures Sentier Mid",
     "Mid hiking boots with a waterproof membrane.", "Chaussures de randonnée mi-montantes imperméables."),
    ("vallon-low-shoes", "boots", "Vallon low shoes", "Chaussures basses Vallon",
     "Light approach shoes.", "Chaussures d'approche légères."),
]  # fmt: skip

FR = {
    5: [("Parfait pour le bivouac", "Utilisé tout l'été dans les Écrins, rien à redire : léger, solide et bien pensé."),
        ("Je recommande", "Très bonne qualité de fabrication, les finitions sont soignées et le produit tient ses promesses.")],
    4: [("Très bien, quelques détails", "Bon produit dans l'ensemble. Un peu cher, mais il fait le travail sans faiblir."),
        ("Bon rapport qualité-prix", "Satisfait après trois sorties en montagne, seule la housse de rangement est trop juste.")],
    3: [("Correct sans plus", "Fonctionne, mais j'attendais mieux à ce prix : la notice est confuse et le réglage délicat."),
        ("Mitigé", "Confortable au début, puis quelques défauts sont apparus après un mois d'utilisation régulière.")],
    2: [("Déçu", "Une couture a lâché dès la deuxième sortie. Le service client a répondu, mais quelle déception."),
        ("Pas à la hauteur", "Trop lourd pour un usage itinérant et moins résistant à la pluie qu'annoncé sur la fiche.")],
    1: [("À éviter", "Le produit est arrivé défectueux et le remplacement a pris trois semaines. Je ne rachèterai pas."),
        ("Très mauvaise expérience", "Infiltration d'eau dès la première averse, toutes mes affaires étaient trempées.")],
}  # fmt: skip
RESPONSES = {
    "en": "Thank you for taking the time to write this review. Our team has passed it on to the product designers.",
    "fr": "Merci d'avoir pris le temps d'écrire cet avis. Notre équipe l'a transmis aux concepteurs du produit.",
}


def _english() -> list[dict]:
    return json.loads((Path(__file__).with_name("demo_reviews_en.json")).read_text())["reviews"]


def seed_reviews(ctx) -> None:  # noqa: ANN001
    rng = ctx.rng
    cats = {slug: services.create_category(slug, en, fr, i) for i, (slug, en, fr) in enumerate(CATEGORIES)}
    products = [
        services.save_product(
            None,
            None,
            slug=slug,
            name_en=en,
            name_fr=fr,
            category_id=cats[cat].id,
            description_en=den,
            description_fr=dfr,
        )  # fmt: skip
        for slug, cat, en, fr, den, dfr in PRODUCTS
    ]
    english = _english()
    weights = [1, 2, 3, 6, 8]  # ratings 1..5: mixed, mostly positive
    staff = ctx.users["staff"]
    members = ctx.members
    per_product = min(len(members), 30 * ctx.scale)
    total = 0
    with click.progressbar(products, label="Reviews") as bar:
        for product in bar:
            for member in rng.sample(members, per_product):
                rating = rng.choices(range(1, 6), weights=weights)[0]
                lang = member.locale or rng.choice(["en", "fr"])
                if lang == "fr":
                    title, body = rng.choice(FR[rating])
                    would = rating >= 3
                else:
                    pool = [r for r in english if r["rating"] == rating] or english
                    sample = rng.choice(pool)
                    title, body, would = sample["title"], sample["body"], sample["recommended"]
                    rating = sample["rating"]
                review = services.write_review(
                    product, member, rating=rating, title=title, body=body, would_recommend=would,
                    experienced_on=(utcnow() - timedelta(days=rng.randint(10, 400))).date(),
                    incentivized=rng.random() < 0.05, language=lang,
                )  # fmt: skip
                review.created_at = utcnow() - timedelta(
                    days=rng.randint(0, 300), minutes=rng.randint(0, 1440)
                )
                for voter in rng.sample(members, rng.choice([0, 0, 0, 1, 2, 4])):
                    if voter.id != member.id:
                        services.set_helpful(review, voter, True)
                if rng.random() < 0.25 or (rating <= 2 and rng.random() < 0.6):
                    services.respond(review, staff, RESPONSES[lang])
                total += 1
            db.session.flush()
    # One hidden review, for the public transparency line.
    hidden = db.session.scalars(
        db.select(Review).where(ContentItem.state == "published", Review.rating == 1).limit(1)
    ).first()
    if hidden is not None:
        services.hide_review(hidden, ctx.users["moderator"], "not_genuine")
    ctx.extra["reviews"] = total
