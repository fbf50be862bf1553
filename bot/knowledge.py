"""The parts of the knowledge base, in build order: one line per area (`python -m bot db build`).

Each entry names an area's `bot.catalogue.build.Part` as "module:attribute": the area owns its
source files and its loader, `bot.catalogue.build` only hashes, loads and records them, and knows
no area. Nothing is imported until a build (or `is_built`) reads this list.
"""

PARTS = (
    "bot.catalogue.build:DISPOSITIFS",
    "bot.geo.loader:COMMUNES",
    # structures and trainings take their coordinates from the communes: their parts hash that file too
    "bot.catalogue.structures:STRUCTURES",
    "bot.trainings.loader:EMBEDDED_TRAININGS",
)

#: Modules declaring tables that only `python -m bot sync` fills (no versioned source file): the build
#: creates them empty so queries work before the first sync.
SYNCED_TABLES = (
    "bot.trainings.models",
    "bot.directory.models",
)
