"""Editorial content: news, blog posts, pages, official documents, feeds, sitemap and search."""
