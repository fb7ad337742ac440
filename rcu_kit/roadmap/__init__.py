"""roadmap"""
