"""Undo commands: one class per user edit, each one undo step (see ``base``)."""

from app.editor.commands.actions import (
    UNSET,
    DuplicateActionCommand,
    InsertActionCommand,
    InsertActionsCommand,
    MoveActionCommand,
    MoveActionsCommand,
    RemoveActionCommand,
    RemoveActionsCommand,
    SetActionParamCommand,
    SetActionTitleCommand,
)
from app.editor.commands.base import CompoundCommand, MergingCommand, NoChangeError, ProjectCommand
from app.editor.commands.endpoints import (
    AddEndpointCommand,
    DuplicateEndpointCommand,
    RemoveEndpointCommand,
    RenameEndpointCommand,
    SetEndpointDescriptionCommand,
    SetEndpointMethodCommand,
    SetEndpointPathCommand,
)
from app.editor.commands.inputs import AddEndpointInputCommand, EditEndpointInputCommand, RemoveEndpointInputCommand

__all__ = [
    "UNSET",
    "AddEndpointCommand",
    "AddEndpointInputCommand",
    "CompoundCommand",
    "DuplicateActionCommand",
    "DuplicateEndpointCommand",
    "EditEndpointInputCommand",
    "InsertActionCommand",
    "InsertActionsCommand",
    "MergingCommand",
    "MoveActionCommand",
    "MoveActionsCommand",
    "NoChangeError",
    "ProjectCommand",
    "RemoveActionCommand",
    "RemoveActionsCommand",
    "RemoveEndpointCommand",
    "RemoveEndpointInputCommand",
    "RenameEndpointCommand",
    "SetActionParamCommand",
    "SetActionTitleCommand",
    "SetEndpointDescriptionCommand",
    "SetEndpointMethodCommand",
    "SetEndpointPathCommand",
]
