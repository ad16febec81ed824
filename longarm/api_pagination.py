"""API pagination: a page size the client may choose, up to a maximum."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.LONGARM_API_MAX_PAGE_SIZE
