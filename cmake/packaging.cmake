# The Debian package (scripts/package.sh): the binary, the built web app, a hardened systemd unit, a config file
# under /etc/petitiond and the maintainer scripts that make the system account (deploy/debian/).
include(GNUInstallDirs)
install(TARGETS petitiond RUNTIME DESTINATION bin)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web-admin/dist/ DESTINATION share/petitiond/web OPTIONAL
        PATTERN "*.map" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/petitiond.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/petitiond.conf DESTINATION /etc/petitiond)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/petitiond)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/petitiond/docs)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME petitiond)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "petitiond maintainers <petitiond@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "hotline and petition (信访) case handling server")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Receives petitions from a hotline, a public portal and a reception desk, routes them through a configurable\n escalation workflow across district, town and village, and tracks their legal deadlines.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The embedded database runs PostgreSQL's own server programs; pg_basebackup and pg_verifybackup for backups.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "postgresql-15, postgresql-client-15, adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
