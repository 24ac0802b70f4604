# Sphinx configuration of the documentation site that scripts/docs builds into .build/docs.
# Based on what `antsibull-docs sphinx-init` writes, without intersphinx (the site builds offline;
# the few references into Ansible's own documentation resolve to docs/docsite/ansible_links.rst).

project = "dockyard.docker"
copyright = "dockyard.docker contributors"
title = "dockyard.docker"
html_short_title = "dockyard.docker"

extensions = ["sphinx_antsibull_ext", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3
# The guides are the README's sections: their links to files in the repository do not resolve here.
suppress_warnings = ["myst.xref_missing"]

pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
# Not the theme's links to Ansible's blog and forum: this is one collection's site.
html_theme_options = {
    "topbar_links": {"Ansible documentation": "https://docs.ansible.com/"},
    "documentation_home_url": "index.html",
    "show_extranav": False,
    "show_rtd_ethical_ads": False,
}
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
default_role = "any"
nitpicky = True
