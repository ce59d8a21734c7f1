"""Fill the database with demo prospects and clicks, reproducibly (seeded random generator)."""

import ipaddress
import random
import unicodedata
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from tqdm import tqdm

from links.models import Campaign, Link
from links.signals import links_saved
from linktracker.management import manage_py
from tracker.derivation import recount_click_figures
from tracker.recording import click_facts, record_click

# Example ICPs of three kinds of prospecting, one campaign per segment.
CAMPAIGNS = {
    "aura.camp": ["CEO", "CTO", "VP Sales", "Head of Marketing", "Product Manager"],
    "wesser-recrutement.fr": [
        "Commercial Senior",
        "Manager Commercial",
        "Directeur Regional",
        "Chef d'Équipe",
        "Responsable Développement",
    ],
    "maison-ecommerce.fr": ["E-commerce Director", "CMO", "Growth Manager", "Performance Marketing Lead"],
}
DESTINATIONS = {
    "aura.camp": "https://aura.camp/demo",
    "wesser-recrutement.fr": "https://wesser.fr/offre",
    "maison-ecommerce.fr": "https://maison-ecommerce.fr/rendez-vous",
}
# How likely a prospect of each ICP is to click: gives the ICP pie and metrics something to say.
CLICK_PROPENSITY = {
    "CEO": 0.55,
    "CTO": 0.35,
    "VP Sales": 0.45,
    "Head of Marketing": 0.4,
    "Product Manager": 0.3,
    "Commercial Senior": 0.5,
    "Manager Commercial": 0.45,
    "Directeur Regional": 0.3,
    "Chef d'Équipe": 0.35,
    "Responsable Développement": 0.4,
    "E-commerce Director": 0.4,
    "CMO": 0.3,
    "Growth Manager": 0.5,
    "Performance Marketing Lead": 0.35,
    None: 0.3,
}
FIRST_NAMES = [
    "Camille",
    "Julien",
    "Sophie",
    "Thomas",
    "Léa",
    "Nicolas",
    "Chloé",
    "Antoine",
    "Manon",
    "Hugo",
    "Élodie",
    "François",
    "Inès",
    "Mathéo",
    "Margaux",
    "Olivier",
    "Claire",
    "Maxime",
    "Anaïs",
    "Pierre",
    "James",
    "Emily",
    "Oliver",
    "Charlotte",
    "William",
    "Sarah",
    "Michael",
    "Jessica",
    "Daniel",
    "Emma",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefèvre",
    "Moreau",
    "Laurent",
    "Girard",
    "Roux",
    "Fournier",
    "Lambert",
    "Bonnet",
    "Mercier",
    "Chevalier",
    "Faure",
    "Rousseau",
    "Gauthier",
    "Perrin",
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Clarke",
    "Walker",
    "Wright",
]
COMPANIES = [
    "acme.io",
    "novatech.fr",
    "bluepeak.com",
    "leroy-conseil.fr",
    "brightloop.co",
    "datafleet.io",
    "atelier-nord.fr",
    "kestrel.ai",
    "groupe-vautrin.fr",
    "northwind.com",
    "solis-rh.fr",
    "quanta.dev",
]
HUMAN_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
]
# Machines that fetch links hours after sending: previewers and scripts.
MACHINE_AGENTS = [
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
# Mail gateways open the link as the message arrives, some posing as a plain desktop Chrome.
SCANNER_AGENTS = [
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",
    HUMAN_AGENTS[0],
]
NOT_DEFINED_SHARE = 0.1
SCANNED_SHARE = 0.2  # links whose recipient's mail gateway opens them right after sending
# Relative weight of each hour of the day for human clicks: office hours, a lunch dip.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 17, 13, 8, 10, 15, 16, 13, 9, 6, 5, 4, 3, 2, 1]
BATCH_SIZE = 500


def ascii_slug(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "-")


class Command(BaseCommand):
    help = gettext_lazy("Create demo campaigns, prospects and clicks (human and machine) over the last 30 days.")

    def add_arguments(self, parser):
        parser.add_argument("--prospects", type=int, default=300, help=gettext("How many prospects (links) to create."))
        parser.add_argument(
            "--seed", type=int, default=2026, help=gettext("Random seed: the same seed gives the same data.")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext("Run even if links exist: replaces the demo campaigns' links, leaves other campaigns alone."),
        )

    def handle(self, *args, prospects, seed, force, **options):
        if prospects < 1:
            raise CommandError(gettext("--prospects must be at least 1."))
        if Link.objects.exists() and not force:
            # A notice, not an error: `scripts/run --demo` run a second time goes on to serve the app.
            self.stdout.write(
                self.style.WARNING(
                    gettext(
                        "The database already has links, so no demo data was added (demo data never mixes "
                        "into real prospects). To replace the demo campaigns' links: %(command)s"
                    )
                    % {"command": manage_py("seed_demo --force")}
                )
            )
            return
        generator = random.Random(seed)
        now = timezone.now()
        with transaction.atomic():
            replaced, _ = Link.objects.filter(campaign__name__in=CAMPAIGNS).delete()
            campaigns = [Campaign.objects.get_or_create(name=name)[0] for name in CAMPAIGNS]
            links = self.create_links(generator, campaigns, prospects, now)
            clicks = self.create_clicks(generator, links, now)
        # Clicks spread over 30 days: one recount is quicker than the worker's per-quarter passes.
        recount_click_figures()
        if replaced:
            self.stdout.write(gettext("Removed %(rows)d rows of earlier demo data.") % {"rows": replaced})
        humans = sum(1 for click in clicks if click.verdict == "human")
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Created %(links)d links in %(campaigns)d campaigns and %(clicks)d clicks "
                    "(%(humans)d human, %(machines)d machine), seed %(seed)d."
                )
                % {
                    "links": len(links),
                    "campaigns": len(campaigns),
                    "clicks": len(clicks),
                    "humans": humans,
                    "machines": len(clicks) - humans,
                    "seed": seed,
                }
            )
        )

    def create_links(self, generator, campaigns, count, now):
        links = []
        for number in range(count):
            campaign = generator.choice(campaigns)
            first_name, last_name = generator.choice(FIRST_NAMES), generator.choice(LAST_NAMES)
            icp = None if generator.random() < NOT_DEFINED_SHARE else generator.choice(CAMPAIGNS[campaign.name])
            email = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}{number}@{generator.choice(COMPANIES)}"
            links.append(
                Link(
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    icp=icp,
                    campaign=campaign,
                    destination_url=DESTINATIONS[campaign.name],
                    channel=generator.choice(["email", "linkedin"]),
                )
            )
        Link.objects.bulk_create(links, batch_size=BATCH_SIZE)
        for link in links:  # sent over the last 30 days; auto_now_add ignores values given to bulk_create
            link.created_at = link.sent_at = now - timedelta(minutes=generator.randrange(30 * 24 * 60))
        Link.objects.bulk_update(links, ["created_at", "sent_at"], batch_size=BATCH_SIZE)
        links_saved.send(sender=Link, links=links)
        return links

    def create_clicks(self, generator, links, now):
        """Each click through the redirect's own writer and classifier; return what was stored."""
        clicks = []
        self.stdout.ending = ""  # tqdm redraws its bar with "\r"; a newline per redraw would scroll
        try:
            for link in tqdm(links, desc="Clicks", unit="link", file=self.stdout):
                for facts in [*self.machine_clicks(generator, link, now), *self.human_clicks(generator, link, now)]:
                    clicks.append(record_click(link.id, facts))
        finally:
            self.stdout.ending = "\n"
        return clicks

    def machine_clicks(self, generator, link, now):
        """A mail gateway scanning the link seconds after sending, or a preview/bot fetch."""
        if generator.random() < SCANNED_SHARE:
            at = link.created_at + timedelta(seconds=generator.randrange(2, 40))
            yield self.click(generator, link, at, generator.choice(SCANNER_AGENTS))
        if generator.random() < 0.08:
            at = link.created_at + timedelta(minutes=generator.randrange(1, 600))
            if at < now:
                yield self.click(generator, link, at, generator.choice(MACHINE_AGENTS))

    def human_clicks(self, generator, link, now):
        """0 to 4 clicks, on office hours and weekdays more than nights and weekends."""
        if generator.random() >= CLICK_PROPENSITY.get(link.icp, 0.3):
            return
        user_agent = generator.choice(HUMAN_AGENTS)
        at = link.created_at
        for _ in range(1 + min(int(generator.expovariate(1.4)), 3)):
            day = timezone.localtime(at + timedelta(days=int(generator.expovariate(0.6))))
            if day.weekday() >= 5 and generator.random() < 0.75:
                day += timedelta(days=7 - day.weekday())
            hour = generator.choices(range(24), weights=HOUR_WEIGHTS)[0]
            candidate = day.replace(hour=hour, minute=generator.randrange(60), second=generator.randrange(60))
            at = max(candidate, at + timedelta(minutes=generator.randrange(5, 90)))
            if at > now:
                return
            yield self.click(generator, link, at, user_agent)

    def click(self, generator, link, at, user_agent):
        """The facts of a click as the live redirect would see them (from a random /24)."""
        ip = ipaddress.ip_address(
            f"{generator.randrange(80, 220)}.{generator.randrange(256)}.{generator.randrange(256)}.0"
        )
        return click_facts(ip=ip, user_agent=user_agent, referer="", sent_at=link.sent_at, clicked_at=at)
