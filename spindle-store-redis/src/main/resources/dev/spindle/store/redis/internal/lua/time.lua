-- time(): the store's clock (Redis TIME on the node serving the namespace), as
-- "<epoch second>.<9-digit nanos>". Read-only.
return (storeclock('0.000000000'))
