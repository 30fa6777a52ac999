"""Write the Spanish catalog for the foundation's pages (run when strings change).

Usage: .venv/bin/python scripts/translations_es.py  (then `make setup` compiles it)
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ES = {
    "Skip to content": "Saltar al contenido",
    "Main": "Principal",
    "Communities": "Comunidades",
    "Sign out": "Cerrar sesión",
    "Sign in": "Iniciar sesión",
    "Community": "Comunidad",
    "Places": "Lugares",
    "Members": "Miembros",
    "commonpot — your community's food heritage and food resources, in your own hands.": (
        "commonpot — la herencia culinaria y los alimentos de tu comunidad, en sus propias manos."
    ),
    "API": "API",
    "Back to the communities": "Volver a las comunidades",
    "No communities here yet.": "Aún no hay comunidades.",
    "An administrator creates the first one with": "Una persona administradora crea la primera con",
    "Private": "Privada",
    "Public": "Pública",
    "members": "miembros",
    "Members sign in to see their private communities. New members join through an invitation link from a steward.": (  # noqa: E501 (the source string)
        "Los miembros inician sesión para ver sus comunidades privadas. Quien llega se une con "
        "un enlace de invitación de una persona coordinadora."
    ),
    "E-mail": "Correo electrónico",
    "Password": "Contraseña",
    "No account? Ask a steward of your community for an invitation link.": (
        "¿No tienes cuenta? Pide un enlace de invitación a quien coordina tu comunidad."
    ),
    "Your profile": "Tu perfil",
    "About you": "Sobre ti",
    "Name": "Nombre",
    "Birth year": "Año de nacimiento",
    "optional; helps pair elders and young cooks": (
        "opcional; ayuda a emparejar a mayores y jóvenes cocineros"
    ),
    "Languages you cook in": "Idiomas en los que cocinas",
    "Codes separated by commas, e.g. en, es": "Códigos separados por comas, p. ej. en, es",
    "Ed25519 public key for signed votes": "Clave pública Ed25519 para votos firmados",
    "optional": "opcional",
    "Save profile": "Guardar perfil",
    "Change password": "Cambiar contraseña",
    "Current password": "Contraseña actual",
    "New password (10 characters or more)": "Nueva contraseña (10 caracteres o más)",
    "API tokens": "Tokens de API",
    "Scripts and other tools use a token instead of your password: send it as": (
        "Los scripts y otras herramientas usan un token en lugar de tu contraseña: envíalo como"
    ),
    "Your new token (copy it now, it is shown only once):": (
        "Tu nuevo token (cópialo ahora, solo se muestra una vez):"
    ),
    "Token name": "Nombre del token",
    "e.g. harvest-logger": "p. ej. registro-de-cosecha",
    "Create token": "Crear token",
    "Your API tokens": "Tus tokens de API",
    "Starts with": "Empieza por",
    "Created": "Creado",
    "State": "Estado",
    "Actions": "Acciones",
    "revoked": "revocado",
    "active": "activo",
    "Revoke": "Revocar",
    "No tokens yet. Create one when a script needs to act for you.": (
        "Aún no hay tokens. Crea uno cuando un script necesite actuar por ti."
    ),
    "you are a": "eres",
    "About": "Acerca de",
    "What we do here": "Lo que hacemos aquí",
    "No places yet.": "Aún no hay lugares.",
    "Add the first one": "Añade el primero",
    "Join": "Unirse a",
    "You are invited as a": "Te invitan como",
    "You are signed in as": "Has iniciado sesión como",
    "Join the community": "Unirme a la comunidad",
    "Your name": "Tu nombre",
    "Password (10 characters or more)": "Contraseña (10 caracteres o más)",
    "Create my account and join": "Crear mi cuenta y unirme",
    "Already have an account?": "¿Ya tienes cuenta?",
    "Sign in first": "Inicia sesión primero",
    "Members of": "Miembros de",
    "Members and their roles": "Miembros y sus funciones",
    "Role": "Función",
    "Born": "Nacimiento",
    "Languages": "Idiomas",
    "Change": "Cambiar",
    "Role of": "Función de",
    "Save": "Guardar",
    "Invite someone": "Invitar a alguien",
    "Send this link to the person you invite (it works once):": (
        "Envía este enlace a la persona que invitas (funciona una sola vez):"
    ),
    "E-mail (optional: only this address may use it)": (
        "Correo (opcional: solo esta dirección podrá usarlo)"
    ),
    "Note": "Nota",
    "Create invitation link": "Crear enlace de invitación",
    "Pending invitations": "Invitaciones pendientes",
    "expires": "caduca",
    "Places of": "Lugares de",
    "Kind": "Tipo",
    "Position": "Posición",
    "Add a place": "Añadir un lugar",
    "Click the map to set the position, or type it.": (
        "Haz clic en el mapa para fijar la posición, o escríbela."
    ),
    "Description": "Descripción",
    "Latitude": "Latitud",
    "Longitude": "Longitud",
    "Add place": "Añadir lugar",
    "Map": "Mapa",
    "The map needs JavaScript; the list below has every place.": (
        "El mapa necesita JavaScript; la lista de abajo tiene todos los lugares."
    ),
}


def main() -> None:
    """Merge the Spanish strings into a catalog built from messages.pot."""
    locale_dir = Path(__file__).resolve().parents[1] / "src/commonpot/locale"
    with (locale_dir / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="es", project="commonpot", fuzzy=False)
    for message in template:
        if message.id:
            catalog.add(message.id, ES.get(str(message.id), ""))
    target = locale_dir / "es/LC_MESSAGES/messages.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True)


if __name__ == "__main__":
    main()
