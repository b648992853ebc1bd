enum SluiceCoreModule {}
