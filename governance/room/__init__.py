"""The meeting room, above the contexts: the meeting page, the desk, the console, the
projector, the room's screen and the live stream, composed from the contexts' panels
(meetings' register and quorum, the agenda, the vote). The contexts never import it."""
