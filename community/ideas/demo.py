"""Demo ideas: some thirty suggestions in French and English across every status,
with votes, comments, staff notes and one merged duplicate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from models import Idea, IdeaStatusChange, IdeaVote, db, utcnow

from . import services

# (language, title, body, product_ref, status, staff note)
IDEAS = [
    (
        "fr",
        "Une version ultralégère de la tente Alpine 2",
        "Pour le bivouac en montagne, 2,4 kg c'est lourd. Une version en Dyneema à moins de 1,5 kg serait idéale, même plus chère.",
        "Tente Alpine 2",
        "planned",
        "Bonne nouvelle : une version allégée est au programme pour la saison prochaine.",
    ),
    (
        "en",
        "Ultralight version of the Alpine 2 tent",
        "Could the Alpine 2 come in a lighter fabric? I'd pay more for under 1.5 kg.",
        "Alpine 2 tent",
        "new",
        "",
    ),
    (
        "en",
        "Headlamp with USB-C charging",
        "The Lumen 300 still uses micro-USB. Please move to USB-C so one cable charges everything.",
        "Lumen 300 headlamp",
        "done",
        "Shipped: every Lumen headlamp made since March charges over USB-C.",
    ),
    (
        "fr",
        "Frontale avec mode lumière rouge",
        "Un mode rouge pour ne pas éblouir les copains au refuge et garder la vision de nuit.",
        "Frontales",
        "in_progress",
        "Le prototype est en test chez nos guides partenaires.",
    ),
    (
        "en",
        "Recycled insulation in sleeping bags",
        "Synthetic bags could use recycled fill. It matters to many of us.",
        "Sleeping bags",
        "under_review",
        "We are comparing two recycled fills for warmth and durability.",
    ),
    (
        "fr",
        "Sac de couchage adapté aux femmes",
        "Un sac plus court, plus large aux hanches et mieux isolé aux pieds.",
        "Sacs de couchage",
        "planned",
        "Prévu pour l'automne, en deux longueurs.",
    ),
    (
        "en",
        "Repair kit included with every jacket",
        "A small patch kit in the pocket would save many jackets from the bin.",
        "Jackets",
        "done",
        "Every Boréal shell jacket now ships with a repair patch.",
    ),
    (
        "fr",
        "Veste imperméable avec aérations sous les bras",
        "En montée, on transpire énormément. Des zips d'aération changeraient tout.",
        "Vestes",
        "in_progress",
        "Les nouvelles vestes Cime auront des aérations de 30 cm.",
    ),
    (
        "en",
        "Backpack hip belt pockets big enough for a phone",
        "Current pockets fit a snack bar, not a modern phone.",
        "Backpacks",
        "planned",
        "The next Trek 45 gets larger stretch pockets.",
    ),
    (
        "fr",
        "Réchaud compatible avec les cartouches à vis et à perforer",
        "Selon les pays on ne trouve pas les mêmes cartouches. Un adaptateur serait génial.",
        "Réchauds",
        "declined",
        "Nous avons étudié la question, mais un adaptateur pose des problèmes de sécurité que nous ne voulons pas prendre.",
    ),
    (
        "en",
        "Stove with a built-in piezo igniter that lasts",
        "Piezo igniters die after a season. Make one that lasts or make it replaceable.",
        "Stoves",
        "under_review",
        "Our engineers are testing a replaceable igniter.",
    ),
    (
        "fr",
        "Chaussures de randonnée ressemelables",
        "Mes chaussures ont le cuir impeccable mais la semelle est usée. Proposez un ressemelage !",
        "Chaussures",
        "planned",
        "Un service de ressemelage ouvrira avec un atelier partenaire.",
    ),
    (
        "en",
        "Resoleable hiking boots",
        "Offer a resoling service so we can keep good leather boots for years.",
        "Boots",
        "new",
        "",
    ),
    (
        "en",
        "Wider sizes for boots",
        "Many of us have wide feet. A wide fit for the Summit boot, please.",
        "Boots",
        "new",
        "",
    ),
    (
        "fr",
        "Housse de pluie intégrée aux sacs à dos",
        "Une housse cachée dans le fond du sac, c'est pratique et on ne l'oublie jamais.",
        "Sacs à dos",
        "done",
        "Tous les sacs de plus de 30 litres ont désormais leur housse intégrée.",
    ),
    (
        "en",
        "Tent footprint sold separately at a fair price",
        "Footprints cost too much for a sheet of fabric.",
        "Tents",
        "declined",
        "We keep the footprint price as is: it is made of the same coated fabric as the floor.",
    ),
    (
        "fr",
        "Programme de reprise des vieux équipements",
        "Rapporter sa vieille veste en magasin contre un bon d'achat, et vous la recyclez.",
        None,
        "under_review",
        "Nous étudions la logistique avec nos magasins.",
    ),
    (
        "en",
        "Trade-in programme for old gear",
        "Bring back worn gear for store credit and have it repaired or recycled.",
        None,
        "new",
        "",
    ),
    (
        "fr",
        "Couleurs plus visibles pour la chasse",
        "En automne, les randonneurs en vert sont invisibles. Plus d'orange fluo !",
        "Vestes",
        "new",
        "",
    ),
    (
        "en",
        "Kids' sizes for the rain jacket",
        "My kids want the same jacket as me. Kids' sizes would be great.",
        "Jackets",
        "planned",
        "Kids' sizes 6 to 14 are planned for spring.",
    ),
    (
        "fr",
        "Popote en titane",
        "Une popote légère en titane pour aller avec le réchaud.",
        "Réchauds",
        "in_progress",
        "La popote en titane est en production.",
    ),
    (
        "en",
        "Spare parts shop",
        "Buckles, straps, tent poles: let us buy spare parts online.",
        None,
        "done",
        "The spare parts shop is open.",
    ),
    (
        "fr",
        "Frontale avec batterie remplaçable",
        "Quand la batterie intégrée meurt, toute la frontale part à la poubelle.",
        "Frontales",
        "under_review",
        "Nous regardons comment rendre la batterie accessible.",
    ),
    (
        "en",
        "Sleeping pad that does not squeak",
        "Every move wakes my partner up. A quieter pad fabric please.",
        "Sleeping pads",
        "new",
        "",
    ),
    (
        "fr",
        "Tente 4 saisons pour deux",
        "Une tente solide pour l'hiver, avec des arceaux renforcés.",
        "Tentes",
        "new",
        "",
    ),
    (
        "en",
        "Gear care guides in the app",
        "Short videos on how to wash down and reproof jackets.",
        None,
        "in_progress",
        "First guides are being filmed.",
    ),
    (
        "fr",
        "Gants tactiles pour la montagne",
        "Pouvoir utiliser le téléphone sans enlever les gants.",
        "Gants",
        "declined",
        "Les gants tactiles s'usent trop vite en montagne : nous préférons ne pas en proposer.",
    ),
    (
        "en",
        "Lifetime warranty on backpacks",
        "A lifetime warranty would show confidence in the product.",
        "Backpacks",
        "under_review",
        "We are looking at what a lifetime warranty would cover.",
    ),
    ("fr", "Sac étanche de 10 litres", "Pour le kayak et les jours de pluie.", "Sacs à dos", "new", ""),
    (
        "en",
        "Light stove windscreen",
        "A folding titanium windscreen for the stove.",
        "Stoves",
        "done",
        "Available since May.",
    ),
]

COMMENTS = {
    "fr": [
        "Je vote pour, c'est exactement ce qu'il me manque.",
        "Très bonne idée, surtout pour les longues traversées.",
    ],
    "en": ["Yes please, this would make my trips so much easier.", "Great idea. I'd buy it on day one."],
}


def seed_ideas(ctx) -> None:  # noqa: ANN001
    rng = ctx.rng
    staff = ctx.users["staff"]
    members = ctx.members or [ctx.users["member"]]
    made: list[Idea] = []
    rounds = max(1, ctx.scale)
    for round_no in range(rounds):
        for i, (lang, title, body, product, status, note) in enumerate(IDEAS):
            author = members[(i + round_no * 7) % len(members)]
            age = timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 23))
            idea = services.create_idea(
                author, title if round_no == 0 else f"{title} ({round_no + 1})", body, product_ref=product,
                language=lang,
            )  # fmt: skip
            idea.created_at = utcnow() - age
            voters = rng.sample(members, k=min(len(members), rng.randint(0, 14)))
            for voter in voters:
                if voter.id != author.id:
                    services._add_vote(idea, voter, check_budget=False)
            for c in range(rng.randint(0, 2)):
                services.add_comment(
                    idea, members[(i + c + 3) % len(members)], rng.choice(COMMENTS[lang]), lang
                )
            if status != "new" and note:
                db.session.add(
                    IdeaStatusChange(idea_id=idea.id, from_status="new", to_status=status, author_id=staff.id,
                                     note=note, created_at=utcnow() - age / 2)
                )  # fmt: skip
                idea.status = status
            made.append(idea)
        db.session.flush()
    # Spread the votes over the ideas' lifetimes so "trending" differs from "top".
    for idea in made:
        db.session.execute(
            update(IdeaVote).where(IdeaVote.idea_id == idea.id)
            .values(created_at=idea.created_at + timedelta(hours=rng.randint(1, 48)))
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        services.refresh_counts(idea.id)
    # One duplicate merged: the English ultralight tent idea into the French one.
    db.session.flush()
    services.merge(made[1], made[0], staff)
    db.session.flush()
