"""The knowledge base: saving articles and keeping their search vector current."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from impactportal.audit.services import audit_log

from ..models import KnowledgeArticle


def article_refresh_search_vector(*, article_ids: Iterable[int]) -> None:
    """Recompute the stored Dutch search vector (title A, summary B, text C)."""
    from django.contrib.postgres.search import SearchVector

    KnowledgeArticle.objects.filter(pk__in=list(article_ids)).update(
        search_vector=SearchVector("title", weight="A", config="dutch")
        + SearchVector("summary", weight="B", config="dutch")
        + SearchVector("body", weight="C", config="dutch")
    )


@transaction.atomic
def article_save(*, article: KnowledgeArticle, actor) -> KnowledgeArticle:
    """Create or change an article and keep its search vector current."""
    created = article.pk is None
    article.full_clean()
    article.save()
    article_refresh_search_vector(article_ids=[article.pk])
    audit_log(actor=actor, action="article.created" if created else "article.changed", obj=article)
    return article
