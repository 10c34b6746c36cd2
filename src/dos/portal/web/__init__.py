"""The web shell: base layout, navigation, footer pages, translations, accessibility."""
