from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from accounts.reveal import RevealView
from cadres import services
from cadres.filters import PostFilter, TrainingFilter
from cadres.forms import CadreCreateForm, CadreForm, PostEndForm, PostForm, TrainingForm
from cadres.models import Attendance, Cadre, Post, Training
from cadres.tables import PostTable, TrainingTable
from unionportal import uploads
from unionportal.roles import Action
from unionportal.views import (
    ImportTemplateView,
    ImportView,
    ObjectDetailView,
    ObjectListView,
    ScopedViewMixin,
    ServiceFormView,
)

PHOTO_FOLDER = "cadre_photos"


class PostListView(ObjectListView):
    """The cadre list: one row per post, held on a chosen day (today by default)."""

    model = Post
    page_by_keys = True
    # A post's row counts in its union's branch. The cadre's own record (name, education,
    # birth date) may sit in another union, and one row per cadre weighs the cadre's other
    # posts: filtered by those, the list counts afresh.
    cache_figures = True
    figures_read_elsewhere = frozenset(("name", "education", "college_or_higher", "age_min", "age_max", "per_cadre"))
    filterset_class = PostFilter
    table_class = PostTable
    title = gettext_lazy("Cadres")
    create_url_name = "cadres:cadre_create"
    import_url_name = "cadres:cadre_import"

    def get_base_queryset(self, queryset):
        return queryset.select_related("cadre", "organization")


class CadreDetailView(ObjectDetailView):
    model = Cadre
    template_name = "cadres/cadre_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cadre = self.object
        attendances = Attendance.objects.restrict(self.request.user).filter(cadre=cadre)
        # Posts held in another branch (before the cadre moved here) exist only as a count.
        posts = Post.objects.restrict(self.request.user).filter(cadre=cadre)
        context.update(
            posts=posts.select_related("organization").order_by("-start"),
            posts_elsewhere=cadre.posts.count() - posts.count(),
            hours_by_year=attendances.annotate(year=ExtractYear("training__start"))
            .values("year")
            .annotate(
                courses=Count("pk"),
                hours=Sum(Coalesce("hours", "training__hours"), output_field=DecimalField()),
            )
            .order_by("-year"),
            courses=attendances.select_related("training").order_by("-training__start"),
            may_reveal=self.request.user.may_reveal and bool(cadre.id_number),
        )
        return context


def _store_photo(form, cadre):
    """Store an uploaded photo, replacing the old one; a refusal lands on the form's field."""
    upload = form.cleaned_data.get("photo_upload")
    if not upload:
        return None
    try:
        return uploads.save_image(upload, PHOTO_FOLDER)
    except ValidationError as error:
        raise ValidationError({"photo_upload": error.messages}) from None


class CadreCreateView(ServiceFormView):
    model = Cadre
    list_url_name = "cadres:post_list"
    action = Action.ADD
    form_class = CadreCreateForm
    title = gettext_lazy("New cadre")
    success_message = gettext_lazy("The cadre was added.")

    def perform(self, form):
        photo = _store_photo(form, None)
        with transaction.atomic():
            cadre = form.save(commit=False)
            cadre.organization = form.cleaned_data["organization"]
            cadre.photo = photo or ""
            cadre._history_user = self.request.user
            cadre.full_clean()
            cadre.save()
            services.post_start(cadre=cadre, user=self.request.user, **form.post_fields())
        return cadre


class CadreUpdateView(ServiceFormView):
    model = Cadre
    list_url_name = "cadres:post_list"
    action = Action.CHANGE
    form_class = CadreForm
    success_message = gettext_lazy("The cadre was saved.")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object}

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, instance=self.object, user=self.request.user)

    def perform(self, form):
        photo = _store_photo(form, self.object)
        old_photo = self.object.photo
        cadre = form.save(commit=False)
        if photo:
            cadre.photo = photo
        cadre._history_user = self.request.user
        cadre.save()
        if photo and old_photo:
            uploads.delete_image(old_photo)
        return cadre


class CadrePhotoView(ScopedViewMixin, View):
    """The photo, served only to users whose branch holds the cadre."""

    model = Cadre

    def get(self, request, pk):
        return uploads.image_response(self.get_object().photo)


class CadreRevealView(RevealView):
    model = Cadre
    fields = ("id_number",)


class PostCreateView(ServiceFormView):
    """Give a cadre of the branch a new post (in any organization of the branch)."""

    model = Cadre
    list_url_name = "cadres:post_list"
    action = Action.CHANGE
    form_class = PostForm
    success_message = gettext_lazy("The post was added.")

    def get_title(self):
        return _("New post for %(name)s") % {"name": self.object}

    def perform(self, form):
        return services.post_start(cadre=self.object, user=self.request.user, **form.cleaned_data)


class PostEndView(ServiceFormView):
    model = Post
    action = Action.CHANGE
    form_class = PostEndForm
    success_message = gettext_lazy("The post was ended; it stays in the cadre's record.")

    def get_base_queryset(self, queryset):
        return queryset.select_related("cadre", "organization")

    def get_title(self):
        return _("End the post: %(post)s") % {"post": self.object}

    def perform(self, form):
        post = services.post_end(post=self.object, user=self.request.user, on_date=form.cleaned_data["end"])
        return post.cadre


class CadreImportView(ImportView):
    model = Cadre
    kind = "cadres"
    list_url_name = "cadres:post_list"
    template_url_name = "cadres:cadre_import_template"


class CadreImportTemplateView(ImportTemplateView):
    model = Cadre
    kind = "cadres"


class TrainingListView(ObjectListView):
    model = Training
    filterset_class = TrainingFilter
    table_class = TrainingTable
    title = gettext_lazy("Training courses")
    create_url_name = "cadres:training_create"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organizer").annotate(person_times=Count("attendances") + F("other_attendees"))


class TrainingDetailView(ObjectDetailView):
    model = Training
    template_name = "cadres/training_detail.html"

    def get_base_queryset(self, queryset):
        return queryset.select_related("organizer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attendances = self.object.attendances.select_related("cadre", "cadre__organization")
        listed = attendances.filter(cadre__in=Cadre.objects.restrict(self.request.user)).order_by(
            "cadre__organization__path", "cadre__full_name"
        )
        context["attendances"] = listed
        context["cadre_count"] = attendances.count()
        context["person_times"] = context["cadre_count"] + self.object.other_attendees
        return context


class TrainingFormView(ServiceFormView):
    model = Training
    form_class = TrainingForm
    success_message = gettext_lazy("The course was saved.")

    def get_action(self):
        return Action.CHANGE if "pk" in self.kwargs else Action.ADD

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New training course")

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, instance=self.object, user=self.request.user)

    @transaction.atomic
    def perform(self, form):
        training = form.save(commit=False)
        training._history_user = self.request.user
        training.save()
        services.training_set_attendees(
            training=training, cadres=form.cleaned_data["attendees"], user=self.request.user
        )
        return training
