"""What a resident meets: the questionnaire as a form (`forms`), its pages and the thank-you
receipt (`pages`), the blank page rendered once (`pagecache`), the signed ticket a served form
carries (`tickets`), and turning a valid form into a stored response (`service`). No login.
"""
