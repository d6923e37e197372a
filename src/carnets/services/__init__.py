"""What the web asks of the data, independent of Flask: queries, resource views, the publisher.

Routes call services; services call a store (carnets.store). Nothing here imports Flask.
"""
