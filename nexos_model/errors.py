"""User-facing errors: every message is Spanish and names the file and field at fault."""

from __future__ import annotations

import errno


class NexosError(Exception):
    """A user error (bad file, bad parameter, unknown municipality).

    Holds every problem found, not just the first, so the user fixes them all in one go.
    The CLI prints ``messages`` one per line and exits with status 1, never a traceback.
    """

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class DataFileError(NexosError):
    """A data file (history export, portfolio) that cannot be read as expected."""


class ParameterError(NexosError):
    """Parameters that fail validation."""


# What the operating system said, in Spanish: Python's own text (``strerror``) is English.
_OS_PROBLEMS = {
    errno.ENOENT: "la carpeta o el archivo no existe",
    errno.EACCES: "permiso denegado",
    errno.EPERM: "operación no permitida",
    errno.EROFS: "el disco es de solo lectura",
    errno.ENOSPC: "no queda espacio en el disco",
    errno.EDQUOT: "se agotó la cuota de disco",
    errno.EISDIR: "es una carpeta, no un archivo",
    errno.ENOTDIR: "una parte de la ruta es un archivo, no una carpeta",
    errno.ENAMETOOLONG: "el nombre es demasiado largo",
    errno.EEXIST: "ya existe",
    errno.ENOTEMPTY: "la carpeta no está vacía",
    errno.EXDEV: "el destino está en otro disco",
    errno.EBUSY: "el archivo está en uso",
    errno.ETXTBSY: "el archivo está en uso",
    errno.EMFILE: "demasiados archivos abiertos",
    errno.ELOOP: "demasiados enlaces simbólicos en la ruta",
    errno.EIO: "error de entrada/salida del disco",
    errno.EINVAL: "nombre o ruta no válidos",
    errno.EFBIG: "el archivo es demasiado grande",
}


def os_problem(exc: OSError) -> str:
    """An operating-system error (``OSError``) in Spanish, for a message that also names the path."""
    return _OS_PROBLEMS.get(exc.errno or 0, f"error del sistema de archivos (código {exc.errno})"
                            if exc.errno else "error del sistema de archivos")
