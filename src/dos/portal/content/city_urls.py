"""City routes of the content app (``/<city>/aktuelles/`` …); ``request.city`` is set.

The same routes as the region's (:data:`dos.portal.content.urls.shared`); downloads, images
and the sitemap exist once, at region level."""

from dos.portal.content.urls import shared

app_name = "city_content"

urlpatterns = list(shared)
