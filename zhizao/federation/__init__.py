"""Federation: nodes that refer, resolve recursively and roll resolution counts up.

Network work lives here (httpx), outside the pure `identifiers` domain: the resolution chain
says where a name lives (a referral); this package goes and asks.
"""
