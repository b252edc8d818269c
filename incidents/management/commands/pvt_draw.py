"""Draw (or publish) an election's PVT sample: docs/pvt.md."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from incidents import services
from incidents.models import Election, PvtSample, SampleStrata


class Command(BaseCommand):
    help = (
        "Draw the PVT sample of an election: its size from the wanted margin, stratified by region (or region "
        "and urban/rural), from a fresh secret seed; prints the fingerprint to publish. --publish makes the seed "
        "and the list public once the polls have closed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="The election's slug.")
        parser.add_argument("--as", dest="username", required=True, help="The coordinator drawing the sample.")
        parser.add_argument("--margin", default="0.02", help="Wanted margin of error as a share (0.02 = ±2 points).")
        parser.add_argument("--strata", choices=SampleStrata.values, default=SampleStrata.REGION)
        parser.add_argument("--publish", action="store_true", help="Publish the drawn sample (after the polls close).")

    def handle(self, *args, **options):
        election = Election.objects.filter(slug=options["election"]).first()
        if election is None:
            raise CommandError(f"No election {options['election']!r}.", returncode=2)
        actor = get_user_model().objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"No user {options['username']!r}.", returncode=2)
        try:
            if options["publish"]:
                sample = PvtSample.objects.filter(election=election).first()
                if sample is None:
                    raise CommandError("This election has no sample to publish.", returncode=2)
                sample = services.pvt_sample_publish(sample=sample, actor=actor)
                self.stdout.write(self.style.SUCCESS(f"Published. Seed: {sample.seed}"))
                return
            try:
                margin = Decimal(options["margin"])
            except InvalidOperation as error:
                raise CommandError("The margin is a share such as 0.02.", returncode=2) from error
            if not 0 < margin < 1:
                raise CommandError("The margin is a share between 0 and 1, such as 0.02.", returncode=2)
            sample = services.pvt_sample_draw(
                election=election, wanted_margin=margin, strata=options["strata"], actor=actor
            )
        except services.WorkflowError as error:
            raise CommandError(error.message, returncode=1) from error
        self.stdout.write(f"Drew {sample.stations.count()} stations. Fingerprint to publish now:")
        self.stdout.write(sample.fingerprint)
        self.stdout.write("The seed stays secret (staff only) until the polls close.")
