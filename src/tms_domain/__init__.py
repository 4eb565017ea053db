"""The Training Management System's domain core, cut by area of the business.

``kernel`` holds what every area shares (errors, the access vocabulary, events, time,
paging); ``accounts``, ``training``, ``reporting`` and ``audit`` each hold their model,
rules, ports and use cases, and talk to one another only through their public module. One
unit of work (:mod:`tms_domain.unit_of_work`) spans them. Nothing here imports a framework
or does I/O.
"""
