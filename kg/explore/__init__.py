"""Exploring the built graph: one lookup, one label rule, one link table, and what is built on
them (profiles of papers and entities, related papers, projections, activity over time).

Every function asks the graph only through its ``query`` method, with queries bound to the node
in question, so a one-node answer never scans the whole graph.
"""
