"""Packages for setuptools; everything else is in pyproject.toml.

`templates/` stays at the top of the repository (the product owner's layout) and is shipped
inside the package as `audionews/templates/`: a mapping setuptools can only be given here,
since `packages.find` in pyproject.toml cannot add a package that has no folder of that name.
`audionews.paths.TEMPLATES` finds the folder in a wheel, an editable install and a checkout.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["audionews", "audionews.*", "workers", "workers.*"]),
        "audionews.templates",
    ],
    package_dir={"audionews.templates": "templates"},
)
