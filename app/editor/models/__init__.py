"""Qt item models over the registry and the Document, for the editor's views."""

from app.editor.models.endpoints import EndpointListModel
from app.editor.models.palette import PaletteModel
from app.editor.models.roles import ACTION_PATH_MIME, ACTION_TYPE_MIME
from app.editor.models.workflow import WorkflowModel

__all__ = ["ACTION_PATH_MIME", "ACTION_TYPE_MIME", "EndpointListModel", "PaletteModel", "WorkflowModel"]
