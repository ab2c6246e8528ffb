"""The static site (``kg site``) and the reports (``kg report``): a page for every paper,
topic, model, benchmark and organisation."""
