"""Where the admin's uploaded import files wait between the preview and the confirmation: a folder
of our own (settings.IMPORT_FOLDER), so that forgetting a prospect can find them there."""

import tempfile
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import TempFolderStorage


def import_folder() -> Path:
    folder = Path(settings.IMPORT_FOLDER)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


class ImportFolderStorage(TempFolderStorage):
    """django-import-export's TempFolderStorage, in IMPORT_FOLDER instead of the system's temp dir."""

    def get_full_path(self):
        return str(import_folder() / Path(self.name).name)

    def _open(self, mode="r"):
        if self.name:
            return open(self.get_full_path(), mode, encoding=self.encoding)
        file = tempfile.NamedTemporaryFile(dir=import_folder(), prefix="import-", delete=False)
        self.name = Path(file.name).name
        return file
